import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadInventory } from '../../src/load/inventory/index.js';
import { loadRoles } from '../../src/load/load-roles.js';
import { loadCoreVariables } from '../../src/load/core-variables.js';
import { mergeProblems, prepareHost, type PreparedHost, type PrepareOptions } from '../../src/resolve/prepare-hosts.js';
import { hostWarnings } from '../../src/resolve/assertions.js';
import type { Problem } from '../../src/model/errors.js';

const base = mkdtempSync(join(tmpdir(), 'provision-prepare-'));
after(() => rmSync(base, { recursive: true, force: true }));

function writeRole(name: string, files: Record<string, string>): void {
  mkdirSync(join(base, 'roles', name, 'templates'), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(base, 'roles', name, file), text);
}

const webDefaults = 'web_name: "{{ inventory_hostname }}.example.org"\nweb_port: 80\nweb_mode: a\n';
writeRole('web', {
  'role.yml': 'prefix: web_\nrequires: [base]\nresources: []\n',
  'defaults.yml': webDefaults,
  'schema.json': JSON.stringify({
    type: 'object',
    properties: {
      web_name: { type: 'string', format: 'dns-name' },
      web_port: { type: 'integer' },
      web_mode: { enum: ['a', 'b'] },
      web_self: { type: 'string' },
      web_password: { type: 'string', secret: true },
    },
  }),
});
writeRole('base', { 'role.yml': 'prefix: base_\nresources: []\n', 'schema.json': '{"type": "object", "properties": {"base_x": {"type": "string"}}}' });
const badDefaults = 'bd_ok: 1\nbd_port: eighty\n';
writeRole('baddef', {
  'role.yml': 'prefix: bd_\nresources: []\n',
  'defaults.yml': badDefaults,
  'schema.json': '{"type": "object", "properties": {"bd_ok": {"type": "integer"}, "bd_port": {"type": "integer"}}}',
});
// A warning assertion (the run goes on) and an error one, as the letsencrypt role's acme_contact.
writeRole('warn', {
  'role.yml': [
    'prefix: warn_',
    'resources: []',
    'asserts:',
    '  - variable: warn_contact',
    '    severity: warning',
    "    that: \"warn_contact == '' or warn_tool_version == '2'\"",
    '    message: "not passed with tool {{ warn_tool_version }}"',
    '  - variable: warn_mode',
    '    that: "warn_mode != \'broken\'"',
    '    message: "broken"',
    '',
  ].join('\n'),
  'defaults.yml': "warn_contact: ''\nwarn_tool_version: '1'\nwarn_mode: ok\n",
  'schema.json': JSON.stringify({
    type: 'object',
    properties: { warn_contact: { type: 'string' }, warn_tool_version: { type: 'string' }, warn_mode: { type: 'string' } },
  }),
});
const loaded = loadRoles([join(base, 'roles')]);
assert.deepEqual(loaded.problems, []);
const roles = loaded.roles;

let counter = 0;
/** Writes an inventory in its own directory and prepares every host of it. */
function prepare(text: string, options: Omit<PrepareOptions, 'core'> = {}) {
  const dir = join(base, `inv${counter++}`);
  mkdirSync(dir);
  const file = join(dir, 'hosts.yml');
  writeFileSync(file, text);
  const inventory = loadInventory(file);
  const problems: Problem[] = [];
  const hosts = new Map<string, PreparedHost | undefined>();
  for (const host of inventory.hosts) hosts.set(host.name, prepareHost(host, inventory, roles, { ...options, core: loadCoreVariables() }, problems));
  return { dir, file, hosts, problems };
}

function positionOf(text: string, needle: string): { line: number; col: number } {
  const index = text.indexOf(needle);
  assert.ok(index >= 0, `${needle} not found`);
  const before = text.slice(0, index).split('\n');
  return { line: before.length, col: before.at(-1)!.length + 1 };
}

test('role defaults are overridden by inventory vars; inventoryVars holds the inventory only', () => {
  const { hosts, problems } = prepare('all:\n  vars:\n    provision_roles: [base, web]\n  hosts:\n    h1:\n      web_port: 8080\n    h2:\n');
  assert.deepEqual(problems, []);
  assert.equal(hosts.get('h1')!.vars.web_port, 8080);
  assert.equal(hosts.get('h2')!.vars.web_port, 80);
  assert.equal(hosts.get('h2')!.vars.web_mode, 'a');
  assert.equal('web_port' in hosts.get('h2')!.inventoryVars, false);
  assert.deepEqual(hosts.get('h1')!.roles, ['base', 'web']);
});

test('{{ inventory_hostname }} in a variable is templated per host', () => {
  const { hosts, problems } = prepare(
    'all:\n  vars:\n    provision_roles: [base, web]\n    base_x: "host {{ inventory_hostname }}"\n  hosts:\n    h1:\n    h2:\n',
  );
  assert.deepEqual(problems, []);
  assert.equal(hosts.get('h1')!.vars.web_name, 'h1.example.org');
  assert.equal(hosts.get('h2')!.vars.web_name, 'h2.example.org');
  assert.equal(hosts.get('h2')!.vars.base_x, 'host h2');
});

test('the magic variables are available to templates', () => {
  const { file, dir, hosts } = prepare(
    'all:\n  children:\n    web:\n      hosts:\n        a.example.org:\n          base_x: "{{ inventory_hostname_short }} {{ group_names | join(\',\') }}"\n          provision_roles: [base]\n',
  );
  const vars = hosts.get('a.example.org')!.vars;
  assert.equal(vars.base_x, 'a web');
  assert.equal(vars.inventory_dir, dir);
  assert.equal(vars.inventory_file, resolve(file));
});

test('a variable referring to itself is an error at its inventory position, not a hang', () => {
  const text = 'all:\n  hosts:\n    h1:\n      provision_roles: [base, web]\n      web_self: "{{ web_self }}"\n';
  const { file, hosts, problems } = prepare(text);
  assert.equal(hosts.get('h1'), undefined);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.variable, 'web_self');
  assert.match(problems[0]!.message, /^cannot template value: .*refers to itself/);
  assert.equal(problems[0]!.file, file);
  assert.equal(problems[0]!.line, positionOf(text, 'web_self:').line);
});

test('an undefined variable in a value is a templating problem naming it', () => {
  const { problems } = prepare('all:\n  hosts:\n    h1:\n      provision_roles: [base]\n      base_x: "{{ nowhere }}"\n');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.variable, 'base_x');
  assert.match(problems[0]!.message, /"nowhere" is undefined/);
});

test('schema errors are positioned at the value in the inventory', () => {
  const text = 'all:\n  hosts:\n    h1:\n      provision_roles: [base, web]\n      web_port: "x"\n      web_mode: c\n';
  const { file, hosts, problems } = prepare(text);
  assert.equal(hosts.get('h1'), undefined);
  const port = problems.find((p) => p.variable === 'web_port')!;
  assert.deepEqual({ ...port }, { file, ...positionOf(text, '"x"'), hosts: ['h1'], variable: 'web_port', message: 'expected an integer, got "x"' });
  const mode = problems.find((p) => p.variable === 'web_mode')!;
  assert.deepEqual(
    [mode.line, mode.col, mode.message],
    [positionOf(text, 'c\n').line, positionOf(text, 'web_mode: c').col + 'web_mode: '.length, '"c" is not one of a, b'],
  );
});

test('a schema error in a list element points at the element', () => {
  const text = 'all:\n  hosts:\n    h1:\n      provision_roles:\n        - base\n        - "bad role!"\n';
  const { problems } = prepare(text);
  const problem = problems.find((p) => p.variable === 'provision_roles[1]' && /a role name/.test(p.message));
  assert.ok(problem, JSON.stringify(problems));
  assert.equal(problem.line, positionOf(text, '"bad role!"').line);
});

test('a schema error in a role default is positioned in the role defaults file', () => {
  const { problems } = prepare('all:\n  hosts:\n    h1:\n      provision_roles: [baddef]\n');
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.variable, 'bd_port');
  assert.equal(resolve(problems[0]!.file!), join(base, 'roles', 'baddef', 'defaults.yml'));
  assert.equal(problems[0]!.line, positionOf(badDefaults, 'eighty').line);
});

test('an unknown variable with a role prefix gets a "did you mean"', () => {
  const text = 'all:\n  hosts:\n    h1:\n      provision_roles: [base, web]\n      web_prot: 81\n';
  const { problems } = prepare(text);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.variable, 'web_prot');
  assert.equal(problems[0]!.message, 'unknown variable (did you mean web_port?)');
  assert.equal(problems[0]!.line, positionOf(text, 'web_prot').line);
});

test('an unknown provision_ variable gets a "did you mean" too; unprefixed variables are free', () => {
  const { problems } = prepare('all:\n  hosts:\n    h1:\n      provision_role: [base]\n      anything_else: 1\n');
  assert.deepEqual(
    problems.map((p) => [p.variable, p.message]),
    [['provision_role', 'unknown variable (did you mean provision_roles?)']],
  );
});

test('an unknown role is reported with a suggestion, a missing required role too', () => {
  const { problems } = prepare('all:\n  hosts:\n    h1:\n      provision_roles: [wbe]\n    h2:\n      provision_roles: [web]\n');
  const messages = problems.map((p) => `${p.hosts!.join()}: ${p.message}`);
  assert.ok(
    messages.some((m) => /^h1: unknown role "wbe" \(did you mean web\?\); known roles: /.test(m)),
    messages.join('\n'),
  );
  assert.ok(messages.includes('h2: role web needs role base too'), messages.join('\n'));
});

test('provision_root relative to the inventory dir gives <dir>/<root>/<host>', () => {
  const { dir, hosts, problems } = prepare(
    'all:\n  vars:\n    provision_root: out/tree\n  hosts:\n    h1:\n    h2:\n      provision_root: /abs/root\n    h3:\n      provision_root: "{{ inventory_dir }}/t"\n',
  );
  assert.deepEqual(problems, []);
  assert.equal(hosts.get('h1')!.root, join(dir, 'out', 'tree', 'h1'));
  assert.equal(hosts.get('h2')!.root, join('/abs/root', 'h2'));
  assert.equal(hosts.get('h3')!.root, join(dir, 't', 'h3'));
});

test('--root overrides provision_root and is relative to the working directory; no root means the real root', () => {
  const withOption = prepare('all:\n  vars:\n    provision_root: out\n  hosts:\n    h1:\n', { root: 'cli-root' });
  assert.equal(withOption.hosts.get('h1')!.root, join(process.cwd(), 'cli-root', 'h1'));
  assert.equal(prepare('all:\n  hosts:\n    h1:\n').hosts.get('h1')!.root, undefined);
});

test('connection settings come from the Ansible variables', () => {
  const { hosts, problems } = prepare(
    'all:\n  hosts:\n    h1:\n      ansible_host: 10.0.0.1\n      ansible_port: 2222\n      ansible_user: deploy\n      ansible_become: true\n    h2:\n      ansible_connection: local\n',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(hosts.get('h1')!.connection, {
    type: 'ssh',
    address: '10.0.0.1',
    port: 2222,
    user: 'deploy',
    privateKeyFile: undefined,
    commonArgs: undefined,
    become: true,
    becomeUser: undefined,
    hostKeyChecking: undefined,
  });
  assert.equal(hosts.get('h2')!.connection.type, 'local');
  assert.equal(hosts.get('h2')!.connection.address, 'h2');
  // no ansible_become: the host leaves become to the run (--become), which defaults to off
  assert.equal(hosts.get('h2')!.connection.become, undefined);
});

test('secret values: from role schemas and from provision_secret_vars', () => {
  const { hosts, problems } = prepare(
    'all:\n  hosts:\n    h1:\n      provision_roles: [base, web]\n      web_password: hunter2\n      base_x: also-secret\n      provision_secret_vars: [base_x]\n',
  );
  assert.deepEqual(problems, []);
  assert.deepEqual([...hosts.get('h1')!.secretValues].sort(), ['also-secret', 'hunter2']);
});

test('mergeProblems merges the same problem for several hosts into one naming them all', () => {
  const text =
    'all:\n  children:\n    web:\n      vars:\n        provision_roles: [base, web]\n        web_port: eighty\n      hosts:\n        h1:\n        h2:\n        h3:\n          web_port: 81\n';
  const { problems } = prepare(text);
  assert.equal(problems.length, 2);
  const merged = mergeProblems(problems);
  assert.equal(merged.length, 1);
  assert.deepEqual(merged[0]!.hosts, ['h1', 'h2']);
  assert.equal(merged[0]!.line, positionOf(text, 'eighty').line);
  // the input is not modified
  assert.deepEqual(
    problems.map((p) => p.hosts),
    [['h1'], ['h2']],
  );
});

test('mergeProblems keeps different problems apart and each host once', () => {
  const a: Problem = { file: 'f', line: 1, col: 1, hosts: ['h1'], message: 'm' };
  const merged = mergeProblems([a, { ...a, hosts: ['h2'] }, { ...a, hosts: ['h1'] }, { ...a, line: 2, hosts: ['h1'] }, { ...a, variable: 'v', hosts: ['h3'] }]);
  assert.deepEqual(
    merged.map((p) => [p.line, p.variable, p.hosts]),
    [
      [1, undefined, ['h1', 'h2']],
      [2, undefined, ['h1']],
      [1, 'v', ['h3']],
    ],
  );
});

test("a role's warning assertion is a warning at the variable's place and keeps the host; checked again with other versions (the facts)", () => {
  const text = 'all:\n  hosts:\n    h1:\n      provision_roles: [warn]\n      warn_contact: me\n    h2:\n      provision_roles: [warn]\n';
  const { file, hosts, problems } = prepare(text);
  assert.deepEqual(problems, [
    { file, ...positionOf(text, 'me'), hosts: ['h1'], variable: 'warn_contact', message: 'not passed with tool 1', severity: 'warning' },
  ]);
  const h1 = hosts.get('h1')!;
  assert.ok(h1, 'a warning does not drop the host');
  assert.ok(hosts.get('h2'), 'no contact, no warning');
  const warn = [...roles.values()].filter((role) => role.name === 'warn');
  assert.deepEqual(
    hostWarnings(h1, warn, { ...h1.vars, warn_tool_version: '3' }).map((p) => [p.line, p.message, p.severity]),
    [[positionOf(text, 'me').line, 'not passed with tool 3', 'warning']],
    "the host's own version in the message, at the same place",
  );
  assert.deepEqual(hostWarnings(h1, warn, { ...h1.vars, warn_tool_version: '2' }), [], 'a version that passes it: none');
  assert.deepEqual(hostWarnings(h1, warn, { ...h1.vars, warn_mode: 'broken' }).length, 1, 'only the warnings are checked again');
});

test('an error assertion still drops the host, with the warnings found beside it', () => {
  const { hosts, problems } = prepare('all:\n  hosts:\n    h1:\n      provision_roles: [warn]\n      warn_contact: me\n      warn_mode: broken\n');
  assert.equal(hosts.get('h1'), undefined);
  assert.deepEqual(
    problems.map((p) => [p.variable, p.severity]),
    [
      ['warn_contact', 'warning'],
      ['warn_mode', undefined],
    ],
  );
});
