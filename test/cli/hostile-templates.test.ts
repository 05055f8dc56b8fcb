// Inventory values and role templates are data, never code: the known Nunjucks sandbox escapes, given
// through every entry point (an inventory value, a group_vars file, `-e` inline and key=value,
// `-e @file`, a role template and a role.yml expression), are refused by validate, render and plan
// (exit 1, naming file:line, variable and host) and run nothing: each payload would run `id` into its
// own marker file, and no marker appears. `hosts --vars` never evaluates values (it prints them as
// ansible-inventory does), so it runs nothing either.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

/** A JavaScript body that runs `id` into `marker` if it ever runs. */
const code = (marker: string) => `return process.getBuiltinModule('child_process').execSync('id > ${marker}')`;

// Collected from public write-ups of Nunjucks escapes (constructor walks from globals, literals and
// variables; bracket and inherited lookups; filters handing out functions; set/for/macro forms;
// symbol text pasted into the compiled JavaScript).
function payloads(marker: (name: string) => string): Record<string, string> {
  const js = (name: string) => JSON.stringify(code(marker(name)));
  const list: Record<string, (c: string) => string> = {
    range: (c) => `{{ range.constructor(${c})() }}`,
    cycler: (c) => `{{ cycler.constructor(${c})() }}`,
    joiner: (c) => `{{ joiner.constructor(${c})() }}`,
    joiner_result: (c) => `{{ joiner().constructor(${c})() }}`,
    cycler_next: (c) => `{{ cycler(1).next.constructor(${c})() }}`,
    string_literal: (c) => `{{ "".constructor.constructor(${c})() }}`,
    list_literal: (c) => `{{ [].constructor.constructor(${c})() }}`,
    number_literal: (c) => `{{ (1).constructor.constructor(${c})() }}`,
    context_inherited: (c) => `{{ constructor.constructor(${c})() }}`,
    proto: (c) => `{{ inventory_hostname.__proto__.constructor.constructor(${c})() }}`,
    brackets: (c) => `{{ inventory_hostname["constructor"]["constructor"](${c})() }}`,
    list_key: (c) => `{{ inventory_hostname[["constructor"]][["constructor"]](${c})() }}`,
    method_walk: (c) => `{{ group_names.map.constructor(${c})() }}`,
    allowed_method_walk: (c) => `{{ inventory_hostname.split.constructor(${c})() }}`,
    filter_result: (c) => `{{ ([{}] | map(attribute="constructor") | first).constructor(${c})() }}`,
    sort_attribute: (c) => `{{ ([1] | sort(false, false, "constructor") | first).constructor.constructor(${c})() }}`,
    attr_filter: (c) => `{{ (range | attr("constructor"))(${c})() }}`,
    lipsum: () => `{{ lipsum.__globals__.os.popen("id").read() }}`,
    set_tag: (c) => `{% set f = range.constructor %}{{ f(${c})() }}`,
    for_tag: (c) => `{% for f in [range] %}{{ f.constructor(${c})() }}{% endfor %}`,
    macro: (c) => `{% macro m() %}{% endmacro %}{{ m.constructor(${c})() }}`,
    symbol_text: (c) => `{{ x\\ }}{{ "+(Function(${c.replace(/"/g, "'")})())+" }}`,
  };
  return Object.fromEntries(Object.entries(list).map(([name, make]) => [name, make(js(name))]));
}

function setup() {
  const copy = tempInventory();
  const markers = mkdtempSync(join(tmpdir(), 'provision-markers-'));
  return { copy, markers, out: join(copy.root, '..', 'out') };
}

function assertNothingRan(markers: string) {
  assert.deepEqual(readdirSync(markers), [], 'a payload ran');
}

/** Every hostile variable is reported with its file:line:col and host. */
function assertRefused(stderr: string, expected: { variable: string; file: RegExp; host: string }[]) {
  for (const { variable, file, host } of expected) {
    const lines = stderr.split('\n').filter((l) => l.includes(` ${variable}: cannot template value: `) && l.includes(host));
    assert.ok(lines.length > 0, `no problem for ${variable} on ${host}:\n${stderr}`);
    assert.match(lines[0]!, new RegExp(`${file.source}:\\d+:\\d+: (\\S+: )?${variable}: `), lines[0]);
  }
  assert.match(stderr, /\d+ problem\(s\) found; nothing was changed\.|\d+ error\(s\)/);
}

test('hostile values from the inventory, group_vars, -e and -e @file run nothing in validate, render, hosts --vars, plan', () => {
  const { copy, markers, out } = setup();
  const at = (entry: string) => (name: string) => join(markers, `${entry}-${name}`);
  const expected: { variable: string; file: RegExp; host: string }[] = [];
  const host = payloads(at('host'));
  appendFileSync(
    join(copy.dir, 'host_vars/web1.example.test.yml'),
    Object.entries(host)
      .map(([n, v]) => `hostile_host_${n}: ${JSON.stringify(v)}\n`)
      .join(''),
  );
  for (const n of Object.keys(host)) expected.push({ variable: `hostile_host_${n}`, file: /host_vars\/web1\.example\.test\.yml/, host: 'web1.example.test' });
  const group = payloads(at('group'));
  appendFileSync(
    join(copy.dir, 'group_vars/all.yml'),
    Object.entries(group)
      .map(([n, v]) => `hostile_group_${n}: ${JSON.stringify(v)}\n`)
      .join(''),
  );
  for (const n of Object.keys(group)) expected.push({ variable: `hostile_group_${n}`, file: /group_vars\/all\.yml/, host: 'mail1.example.test' });
  const file = join(copy.dir, '..', 'extra.yml');
  const fromFile = payloads(at('file'));
  writeFileSync(
    file,
    Object.entries(fromFile)
      .map(([n, v]) => `hostile_file_${n}: ${JSON.stringify(v)}\n`)
      .join(''),
  );
  for (const n of Object.keys(fromFile)) expected.push({ variable: `hostile_file_${n}`, file: /\S*extra\.yml/, host: 'web1.example.test' });
  const inline = payloads(at('inline'));
  const inlineVars = Object.fromEntries(Object.entries(inline).map(([n, v]) => [`hostile_inline_${n}`, v]));
  const extra = ['-e', JSON.stringify({ ...inlineVars, hostile_code: code(join(markers, 'kv')) }), '-e', `@${file}`];
  for (const n of Object.keys(inline)) expected.push({ variable: `hostile_inline_${n}`, file: /-e #1/, host: 'web1.example.test' });
  // key=value: the code comes from another variable, so the argument needs no quotes.
  extra.push('-e', 'hostile_kv={{range.constructor(hostile_code)()}}');

  for (const command of [['validate'], ['render', '--out', out], ['plan', '--root', copy.root]]) {
    const result = provision([command[0]!, copy.inventory, ...command.slice(1), ...extra]);
    assert.equal(result.code, 1, `${command[0]}: ${result.stdout}${result.stderr}`);
    const problems = command[0] === 'validate' ? result.stdout : result.stderr;
    assertRefused(problems, expected);
    assert.match(problems, /-e #3 \(hostile_kv\)(:1:1)?: (\S+: )?hostile_kv: cannot template value: key "constructor" of a function/);
    assertNothingRan(markers);
  }
  const hosts = provision(['hosts', copy.inventory, '--vars', ...extra]);
  assert.equal(hosts.code, 0, hosts.stderr);
  assert.ok(hosts.stdout.includes('hostile_host_range: "{{ range.constructor('), hosts.stdout);
  assertNothingRan(markers);
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(copy.root), false);
});

test('hostile role templates and role.yml expressions run nothing in validate, render and plan', () => {
  const { copy, markers, out } = setup();
  const templates = payloads((name) => join(markers, `template-${name}`));
  const roleDir = join(copy.dir, 'roles/hostile');
  mkdirSync(join(roleDir, 'templates'), { recursive: true });
  const resources = Object.entries(templates).map(([name, text]) => {
    writeFileSync(join(roleDir, 'templates', `${name}.njk`), `line one\n${text}\n`);
    return `  - file: { template: ${name}.njk, dest: /etc/hostile/${name} }`;
  });
  const expression = payloads((name) => join(markers, `manifest-${name}`)).range!;
  resources.push(`  - directory: { path: ${JSON.stringify(`/etc/hostile/{{ 'x' if ${expression.slice(3, -3)} else 'y' }}`)} }`);
  writeFileSync(join(roleDir, 'role.yml'), `prefix: hostile_\nresources:\n${resources.join('\n')}\n`);
  appendFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), 'provision_roles: [letsencrypt, apache, hostile]\n');

  for (const command of [['validate'], ['render', '--out', out], ['plan', '--root', copy.root]]) {
    const result = provision([command[0]!, copy.inventory, ...command.slice(1)]);
    assert.equal(result.code, 1, `${command[0]}: ${result.stdout}${result.stderr}`);
    const problems = command[0] === 'validate' ? result.stdout : result.stderr;
    for (const name of Object.keys(templates)) {
      assert.match(
        problems,
        new RegExp(
          `roles/hostile/templates/${name}\\.njk:2:\\d+: .*web1\\.example\\.test.*template error: |roles/hostile/templates/${name}\\.njk:2:\\d+: template error: .*\\(host: web1\\.example\\.test\\)`,
        ),
        `${name}: ${problems}`,
      );
    }
    assert.match(problems, /roles\/hostile\/role\.yml:\d+:\d+: (\S+: )?path: template error: key "constructor" of a function/);
    assertNothingRan(markers);
  }
  assert.equal(existsSync(out), false);
  assert.equal(existsSync(copy.root), false);
});
