// Handlers on a real (local) host: run once at the end, only when something that notifies them
// changed, and never lost when they fail. Each test's runs see a /var/lib/provision of its own
// (test/helpers/private-var-lib.ts): the record of what they manage and of handlers owed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

/** An inventory with one local host (no --root: handlers only run on a real tree) managing files in a temp dir. */
function serviceInventory(handlerCommand: (paths: { base: string; log: string }) => string) {
  const base = mkdtempSync(join(tmpdir(), 'provision-handlers-'));
  const tree = join(base, 'tree');
  const log = join(base, 'handler.log');
  mkdirSync(join(base, 'roles/svc/templates'), { recursive: true });
  writeFileSync(
    join(base, 'roles/svc/role.yml'),
    [
      'prefix: svc_',
      'resources:',
      '  - directory: { path: "{{ svc_dir }}", mode: "0755" }',
      '  - file: { template: a.njk, dest: "{{ svc_dir }}/a.conf", notify: [reload svc] }',
      '  - file: { template: b.njk, dest: "{{ svc_dir }}/b.conf", notify: [reload svc] }',
      'handlers:',
      `  - name: reload svc`,
      `    command: ${JSON.stringify(handlerCommand({ base, log }))}`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(base, 'roles/svc/schema.json'),
    JSON.stringify({ type: 'object', properties: { svc_dir: { type: 'string', format: 'abs-path' }, svc_value: { type: 'string' } } }),
  );
  writeFileSync(join(base, 'roles/svc/defaults.yml'), 'svc_value: one\n');
  writeFileSync(join(base, 'roles/svc/templates/a.njk'), 'a = {{ svc_value }}\n');
  writeFileSync(join(base, 'roles/svc/templates/b.njk'), 'b = {{ svc_value }}\n');
  writeFileSync(
    join(base, 'inventory.yml'),
    `all:\n  hosts:\n    box:\n      ansible_connection: local\n      provision_roles: [svc]\n      svc_dir: ${JSON.stringify(tree)}\n`,
  );
  const host = privateVarLib();
  return { base, tree, inventory: join(base, 'inventory.yml'), log, provision: host.provision, pendingFile: join(host.provisionDir, 'pending-handlers') };
}

function lines(file: string): string[] {
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

test('a handler runs once for several notifying changes, and not at all when nothing changed', () => {
  const svc = serviceInventory(({ log }) => `echo reloaded >> '${log}'`);
  const first = svc.provision(['apply', svc.inventory, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const report = JSON.parse(first.stdout);
  assert.deepEqual(report.hosts[0].handlers, [{ name: 'reload svc', ran: true, ok: true }]);
  assert.deepEqual(lines(svc.log), ['reloaded'], 'two changed files, one reload');
  assert.equal(svc.provision(['apply', svc.inventory]).code, 0);
  assert.deepEqual(lines(svc.log), ['reloaded'], 'nothing changed, no reload');
  appendFileSync(join(svc.tree, 'b.conf'), 'edited\n');
  const check = svc.provision(['apply', svc.inventory, '--check']);
  assert.match(check.stdout, /would run handler reload svc/);
  assert.deepEqual(lines(svc.log), ['reloaded'], 'check mode runs no handler');
  assert.equal(svc.provision(['apply', svc.inventory]).code, 0);
  assert.deepEqual(lines(svc.log), ['reloaded', 'reloaded']);
});

test('a failed handler fails the host (exit 3) and is run again by the next run although nothing changed', () => {
  const svc = serviceInventory(({ base, log }) => `test ! -e '${base}/service-broken' && echo reloaded >> '${log}'`);
  const flag = join(svc.base, 'service-broken');
  writeFileSync(flag, '');
  const failed = svc.provision(['apply', svc.inventory, '--json']);
  assert.equal(failed.code, 3, failed.stderr);
  const report = JSON.parse(failed.stdout);
  assert.equal(report.hosts[0].status, 'failed');
  assert.match(report.hosts[0].error, /handler reload svc failed/);
  assert.equal(report.summary.failed, 1);
  assert.equal(readFileSync(join(svc.tree, 'a.conf'), 'utf8'), 'a = one\n', 'the files themselves were installed');
  assert.deepEqual(lines(svc.pendingFile), ['reload svc'], 'the failed handler is owed, in the private record');

  rmSync(flag);
  const retry = svc.provision(['apply', svc.inventory]);
  assert.equal(retry.code, 0, retry.stdout + retry.stderr);
  assert.match(retry.stdout, /ran handler reload svc/);
  assert.deepEqual(lines(svc.log), ['reloaded']);
  assert.equal(existsSync(svc.pendingFile), false, 'nothing owed any more');
  assert.equal(svc.provision(['apply', svc.inventory]).code, 0);
  assert.deepEqual(lines(svc.log), ['reloaded']);
});
