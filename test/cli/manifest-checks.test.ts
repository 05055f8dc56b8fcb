// A role's own whole-configuration check (`checks:` in its role.yml, no built-in checker): `provision
// validate` runs it with the generic command checker against the rendered files over a copy of this
// machine's `root`, and plan/apply run it on the host (this machine, the local connection) with the
// candidate files in place. Either way this machine's `root` is untouched and no mount is left.
// Needs root (private mount namespaces). Each project's runs have a /var/lib/provision of their own
// (test/helpers/private-var-lib.ts), where an apply keeps its record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../helpers/cli.js';
import type { PrivateVarLib } from '../helpers/private-var-lib.js';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

interface Options {
  command?: string;
  findings?: string;
  tools?: string;
  /** more resources of the role, as role.yml lines */
  resources?: string[];
}

/** A role `mine` whose file under `root` (a temp directory seeded with seed.txt) names its check `mycheck`. */
function project(content: string, options: Options = {}) {
  const base = mkdtempSync(join(tmpdir(), 'provision-mycheck-'));
  const root = join(base, 'etc-mine');
  mkdirSync(root);
  writeFileSync(join(root, 'seed.txt'), 'from this machine\n');
  mkdirSync(join(base, 'roles/mine/templates'), { recursive: true });
  // The seed must be there: the check sees this machine's root with the rendered files laid over it.
  const command = options.command ?? `test -f {{ mine_dir | shquote }}/seed.txt && grep -q ok "$@"`;
  writeFileSync(
    join(base, 'roles/mine/role.yml'),
    [
      'prefix: mine_',
      'checks:',
      '  mycheck:',
      '    label: grep ok',
      '    root: "{{ mine_dir }}"',
      `    command: ${JSON.stringify(command)}`,
      ...(options.findings ? [`    findings: ${JSON.stringify(options.findings)}`] : []),
      ...(options.tools ? [`    tools: ${options.tools}`] : []),
      'resources:',
      '  - file: { template: mine.conf.njk, dest: "{{ mine_dir }}/mine.conf", mode: "0644", check: [mycheck] }',
      ...(options.resources ?? []),
      '',
    ].join('\n'),
  );
  writeFileSync(join(base, 'roles/mine/schema.json'), JSON.stringify({ type: 'object', properties: { mine_dir: { type: 'string' } } }));
  writeFileSync(join(base, 'roles/mine/templates/mine.conf.njk'), content);
  writeFileSync(
    join(base, 'inventory.yml'),
    `all:\n  hosts:\n    this-machine:\n      ansible_connection: local\n      provision_roles: [mine]\n      mine_dir: ${root}\n`,
  );
  return { inventory: join(base, 'inventory.yml'), root, dest: join(root, 'mine.conf'), provision: privateVarLib().provision };
}

const mounts = () => readFileSync('/proc/self/mountinfo', 'utf8');

function validate(provision: PrivateVarLib['provision'], inventory: string, ...flags: string[]) {
  const result = provision(['validate', inventory, '--format', 'json', ...flags]);
  return {
    ...result,
    problems: JSON.parse(result.stdout).problems as {
      severity: string;
      check: string;
      file: string | null;
      line: number | null;
      host: string | null;
      path: string | null;
      message: string;
    }[],
  };
}

test("validate: a passing manifest check gives no problem; this machine's root is untouched", () => {
  const { inventory, root, provision } = project('# mine\nok\n');
  const before = snapshot(root);
  const mountsBefore = mounts();
  const result = validate(provision, inventory);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.deepEqual(
    result.problems.filter((p) => p.check === 'mycheck'),
    [],
  );
  assert.deepEqual(snapshot(root), before);
  assert.equal(mounts(), mountsBefore);
});

test("validate: a failing manifest check is an error with the tool's output, on the checked file", () => {
  const { inventory, root, dest, provision } = project('# mine\nnope\n', {
    command: 'test -f {{ mine_dir | shquote }}/seed.txt && grep ok "$@" || { echo "no ok in $1" >&2; exit 1; }',
  });
  const before = snapshot(root);
  const result = validate(provision, inventory);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const mine = result.problems.filter((p) => p.check === 'mycheck');
  assert.equal(mine.length, 1, JSON.stringify(result.problems));
  assert.equal(mine[0]!.severity, 'error');
  assert.equal(mine[0]!.host, 'this-machine');
  assert.equal(mine[0]!.path, dest);
  assert.match(mine[0]!.file!, /roles\/mine\/templates\/mine\.conf\.njk$/);
  assert.equal(mine[0]!.message, `${dest}: grep ok fails: no ok in ${dest}`, "the host path, never the sandbox's");
  assert.deepEqual(snapshot(root), before);
  assert.equal(existsSync(dest), false);
});

test('validate: the findings regex points a message at its template line, also through a managed link', () => {
  // The program names the path it opened: here the managed link to the checked file.
  const { inventory, dest, provision } = project('# mine\n{{ "no" }}pe\n', {
    command: 'grep -q ok "$@" || { echo "{{ mine_dir }}/enabled.conf:2: no ok here"; exit 1; }',
    findings: '^(?<file>/[^:]+):(?<line>\\d+): (?<message>.*)$',
    resources: ['  - symlink: { path: "{{ mine_dir }}/enabled.conf", target: mine.conf }'],
  });
  const result = validate(provision, inventory);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  const mine = result.problems.filter((p) => p.check === 'mycheck');
  assert.equal(mine.length, 1, JSON.stringify(result.problems));
  assert.match(mine[0]!.file!, /mine\.conf\.njk$/);
  assert.equal(mine[0]!.path, dest);
  assert.equal(mine[0]!.line, 2);
  assert.match(mine[0]!.message, /:2: no ok here$/);
});

test('validate: a tool the check needs that this machine lacks is a warning naming the package (an error with --strict)', () => {
  const { inventory, provision } = project('ok\n', { tools: '[{ command: provision-no-such-tool, package: provision-no-such-package }]' });
  const result = validate(provision, inventory);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const mine = result.problems.filter((p) => p.check === 'mycheck');
  assert.deepEqual(
    mine.map((p) => [p.severity, p.message]),
    [['warning', 'the mycheck check was not run: provision-no-such-tool (Debian package provision-no-such-package) is not installed']],
  );
  assert.equal(validate(provision, inventory, '--strict').code, 1);
});

test('plan and apply: a failing manifest check fails the host and nothing is renamed into place', () => {
  const { inventory, root, dest, provision } = project('# mine\nnope\n');
  const before = snapshot(root);
  const mountsBefore = mounts();
  for (const command of ['plan', 'apply']) {
    const result = provision([command, inventory, '--json']);
    assert.equal(result.code, 3, `${command}: ${result.stdout}${result.stderr}`);
    const host = JSON.parse(result.stdout).hosts[0];
    assert.equal(host.status, 'failed');
    assert.match(host.error, /grep ok fails with the new files in place/);
    assert.deepEqual(snapshot(root), before, `${command} changed ${root}`);
    assert.equal(mounts(), mountsBefore, 'no mount left behind');
  }
  assert.equal(existsSync(dest), false);
});

test('plan and apply: a passing manifest check lets the file into place', () => {
  const { inventory, dest, provision } = project('# mine\nok\n');
  const plan = provision(['plan', inventory, '--detailed-exitcode']);
  assert.equal(plan.code, 2, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /failed=0/);
  const apply = provision(['apply', inventory]);
  assert.equal(apply.code, 0, apply.stdout + apply.stderr);
  assert.equal(readFileSync(dest, 'utf8'), '# mine\nok\n');
});
