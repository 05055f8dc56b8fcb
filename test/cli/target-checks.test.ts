// Whole-configuration checks on the host itself (here: this machine, through the local connection),
// with the candidate files in place in a private mount namespace: a broken Apache snippet fails the
// dry run and the apply, and nothing under /etc/apache2 changes. Needs root and Debian's apache2.
// Each test's runs have a /var/lib/provision of their own (test/helpers/private-var-lib.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { snapshot } from '../helpers/cli.js';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

const conf = '/etc/apache2/conf-available/zz-provision-check-test.conf';
const enabled = '/etc/apache2/conf-enabled/zz-provision-check-test.conf';

function snippetInventory(content: string) {
  const base = mkdtempSync(join(tmpdir(), 'provision-target-check-'));
  mkdirSync(join(base, 'roles/snippet/templates'), { recursive: true });
  writeFileSync(
    join(base, 'roles/snippet/role.yml'),
    [
      'prefix: snippet_',
      'resources:',
      `  - file: { template: snippet.conf.njk, dest: ${conf}, mode: "0644", check: [apache] }`,
      `  - symlink: { path: ${enabled}, target: ../conf-available/zz-provision-check-test.conf }`,
      '',
    ].join('\n'),
  );
  writeFileSync(join(base, 'roles/snippet/templates/snippet.conf.njk'), content);
  writeFileSync(join(base, 'inventory.yml'), 'all:\n  hosts:\n    this-machine:\n      ansible_connection: local\n      provision_roles: [snippet]\n');
  return join(base, 'inventory.yml');
}

function mounts(): string {
  return readFileSync('/proc/self/mountinfo', 'utf8');
}

test('apache2 is installed for this suite (.ci/run installs it)', () => {
  assert.ok(existsSync('/usr/sbin/apache2ctl'), "install Debian's apache2");
});

test('a broken Apache snippet fails plan and apply on the host, and nothing under /etc/apache2 changes', () => {
  const inventory = snippetInventory('# a snippet\nThisIsNotADirective on\n');
  const isolated = privateVarLib();
  const before = snapshot('/etc/apache2');
  const mountsBefore = mounts();
  for (const command of [
    ['plan', inventory],
    ['apply', inventory],
  ]) {
    const result = isolated.provision([...command, '--json']);
    assert.equal(result.code, 3, `${command[0]}: ${result.stdout}${result.stderr}`);
    const host = JSON.parse(result.stdout).hosts[0];
    assert.equal(host.status, 'failed');
    assert.match(host.error, /apache2ctl -t fails with the new files in place/);
    assert.match(host.error, /ThisIsNotADirective/);
    assert.deepEqual(snapshot('/etc/apache2'), before, `${command[0]} changed /etc/apache2`);
    assert.equal(mounts(), mountsBefore, 'no mount left behind');
  }
  assert.equal(existsSync(conf), false);
});

test('a valid snippet passes the same check in check mode, still writing nothing', () => {
  const inventory = snippetInventory('# a snippet\nServerSignature Off\n');
  const isolated = privateVarLib();
  const before = snapshot('/etc/apache2');
  const result = isolated.provision(['plan', inventory, '--detailed-exitcode']);
  assert.equal(result.code, 2, result.stdout + result.stderr);
  assert.match(result.stdout, /create file \/etc\/apache2\/conf-available\/zz-provision-check-test\.conf/);
  assert.doesNotMatch(result.stdout, /FAILED|: failed /);
  assert.match(result.stdout, /failed=0/);
  assert.deepEqual(snapshot('/etc/apache2'), before);
});

test("a Postfix setting postfix refuses fails the dry run with postfix's own message; /etc/postfix is untouched", () => {
  const base = mkdtempSync(join(tmpdir(), 'provision-target-check-'));
  mkdirSync(join(base, 'roles/pfbad/templates'), { recursive: true });
  writeFileSync(
    join(base, 'roles/pfbad/role.yml'),
    'prefix: pfbad_\nresources:\n  - file: { template: bad.cf.njk, dest: /etc/postfix/zz-provision-check-test.cf, check: [postfix] }\n',
  );
  writeFileSync(join(base, 'roles/pfbad/templates/bad.cf.njk'), '# bad\nipc_timeout = soon\n');
  writeFileSync(join(base, 'inventory.yml'), 'all:\n  hosts:\n    this-machine:\n      ansible_connection: local\n      provision_roles: [pfbad]\n');
  const before = snapshot('/etc/postfix');
  const isolated = privateVarLib();
  const result = isolated.provision(['plan', join(base, 'inventory.yml')]);
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(result.stdout, /postconf -e and postfix check fails with the new files in place\n {2}postfix: fatal: invalid ipc_timeout/);
  assert.deepEqual(snapshot('/etc/postfix'), before);
});
