// What `validate` and `plan` say about acme_contact on a host whose acme-tiny is older than 5.0.2 (it is
// not passed: acme-tiny 5.0.1 dies with KeyError: 'contact' on Let's Encrypt), through the real CLI:
// validate (no host facts) once per host, plan with the version this machine's acme-tiny reports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';
import { privateVarLib, untouchedMachineRecord } from '../helpers/private-var-lib.js';

untouchedMachineRecord();

const hosts = ['mail1.example.test', 'web1.example.test'];
const generic = 'acme_contact: not passed on hosts whose acme-tiny is older than 5.0.2 (Debian 12/13, Ubuntu)';
const why =
  /acme-tiny before 5\.0\.2 dies with KeyError: 'contact' when given contacts by Let's Encrypt, which has not kept contact addresses since 2025-06-04 and does not use them anyway \(no expiry mail\), so the certificates renew without them; to register them, install acme-tiny 5\.0\.2 or later, else remove acme_contact/;

/** A copy of the example with acme_contact set for all hosts (group_vars/all.yml, line 6). */
function exampleWithContact() {
  const copy = tempInventory();
  writeFileSync(
    join(copy.dir, 'group_vars/all.yml'),
    'acme_directory_url: staging\nacme_country: SE\nacme_organization: Example AB\nacme_contact:\n  - mailto:hostmaster@example.test\n',
  );
  return copy;
}

test('validate says once per host with acme_contact that it is not passed where acme-tiny is older than 5.0.2; a warning, an error under --strict', () => {
  const { inventory } = exampleWithContact();
  const result = provision(['validate', inventory]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const lines = result.stdout.split('\n').filter((line) => line.includes('acme_contact'));
  assert.equal(lines.length, 2, result.stdout);
  for (const host of hosts) {
    const line = lines.find((l) => l.includes(` ${host}: `));
    assert.ok(line?.startsWith(`${inventory.replace('inventory.yml', 'group_vars/all.yml')}:5:3: ${host}: warning: ${generic}: `), line);
    assert.match(line!, why);
  }
  assert.match(result.stdout, /^0 error\(s\), 2 warning\(s\); 2 host\(s\)/m);
  assert.equal(result.stderr, '', 'said in the report only, not again on stderr');

  const strict = provision(['validate', '--strict', inventory]);
  assert.equal(strict.code, 1, strict.stdout);
  assert.match(strict.stdout, /^2 error\(s\), 0 warning\(s\)/m);
});

test('validate: a stated acme-tiny 5.0.2 passes the contacts (no warning); a stated 5.0.1 is named', () => {
  const { inventory } = exampleWithContact();
  const newer = provision(['validate', '--strict', inventory, '-e', '{"acme_tiny_version": "5.0.2"}']);
  assert.equal(newer.code, 0, newer.stdout);
  assert.doesNotMatch(newer.stdout, /acme_contact/);
  const older = provision(['validate', inventory, '-e', '{"acme_tiny_version": "5.0.1"}']);
  assert.equal(older.code, 0, older.stdout);
  assert.match(
    older.stdout,
    /web1\.example\.test: warning: acme_contact: not passed: the host's acme-tiny is 5\.0\.1, older than 5\.0\.2: acme-tiny before 5\.0\.2 dies/,
  );
});

test('plan under a --root tree (no facts) warns once, naming every host, on stderr; the rendered script passes no --contact', () => {
  const { inventory, root } = exampleWithContact();
  const result = provision(['plan', inventory, '--root', root]);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
  assert.equal(warnings.length, 1, result.stderr);
  assert.ok(warnings[0]!.includes(`: ${generic}: `), warnings[0]);
  assert.ok(warnings[0]!.endsWith(`(hosts: ${hosts[1]}, ${hosts[0]})`) || warnings[0]!.endsWith(`(hosts: ${hosts[0]}, ${hosts[1]})`), warnings[0]);
  assert.match(result.stdout, /^\+CONTACTS='' # acme-tiny --contact; acme_contact is not passed: this acme-tiny is older than 5\.0\.2, or not known$/m);
});

/** This machine's acme-tiny, read independently of provision: Debian's package version, 1:5.0.1-1 -> 5.0.1. */
function machineAcmeTiny(): string {
  return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'acme-tiny'], { encoding: 'utf8' })
    .replace(/^\d+:/, '')
    .replace(/-[^-]*$/, '');
}

/** One host, this machine over the local connection (plan changes nothing), with the letsencrypt role; plan it with privateVarLib(). */
function thisMachine(extra: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'provision-contact-plan-'));
  const inventory = join(dir, 'inventory.yml');
  writeFileSync(
    inventory,
    `all:\n  hosts:\n    this-machine:\n      ansible_connection: local\n      provision_roles: [letsencrypt]\n      acme_domains: [contact.example.test]\n${extra}`,
  );
  return inventory;
}

test("plan on a host names its acme-tiny version (the fact, not the inventory's), the variable, what happens and the fix", () => {
  const version = machineAcmeTiny();
  assert.equal(version, '5.0.1', "this machine has Debian's acme-tiny 5.0.1 (.ci/run installs it)");
  const inventory = thisMachine('      acme_contact: [mailto:hostmaster@example.test]\n      acme_tiny_version: "5.0.2"\n');
  const result = privateVarLib().provision(['plan', inventory]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /^this-machine: note: the host runs acme-tiny 5\.0\.1; acme_tiny_version "5\.0\.2" from the inventory is not used$/m);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
  assert.equal(warnings.length, 1, result.stderr);
  assert.ok(
    warnings[0]!.startsWith(`warning: ${inventory}:7:21: acme_contact: not passed: the host's acme-tiny is ${version}, older than 5.0.2: `),
    warnings[0],
  );
  assert.match(warnings[0]!, why);
  assert.match(warnings[0]!, /\(host: this-machine\)$/);
  // The script plan would install is rendered with the host's version: no --contact.
  assert.match(result.stdout, /^\+CONTACTS='' # acme-tiny --contact; acme_contact is not passed/m);
});

test('plan on a host without acme_contact says nothing about it', () => {
  const result = privateVarLib().provision(['plan', thisMachine('')]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.doesNotMatch(result.stderr, /acme_contact/);
  assert.match(result.stdout, /^\+CONTACTS='' # acme-tiny --contact$/m);
});

test('render (no host looked at) warns as validate does, once for both hosts, on stderr', () => {
  const { inventory, dir } = exampleWithContact();
  const result = provision(['render', inventory, '--out', join(dir, '..', 'out')]);
  assert.equal(result.code, 0, result.stderr);
  const warnings = result.stderr.split('\n').filter((line) => line.startsWith('warning: '));
  assert.equal(warnings.length, 1, result.stderr);
  assert.ok(warnings[0]!.includes(`: ${generic}: `) && /\(hosts: [a-z0-9.]+, [a-z0-9.]+\)$/.test(warnings[0]!), warnings[0]);
});
