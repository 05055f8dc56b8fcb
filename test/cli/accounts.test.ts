// provision changes home, shell and groups only of accounts it created itself (its record in
// /var/lib/provision/accounts), never root's. Real useradd/usermod on copies of the account files
// (test/helpers/private-host.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { privateHost } from '../helpers/private-host.js';
import { projectRoot, provision, tempInventory } from '../helpers/cli.js';

const cli = join(projectRoot, 'dist/cli/cli.js');

function fixture(): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'provision-accounts-inv-')), 'accounts');
  cpSync(join(projectRoot, 'test/fixtures/accounts'), dir, { recursive: true });
  return join(dir, 'inventory.yml');
}

test('an account provision creates is recorded; it is changed later, another account never is', (t) => {
  const host = privateHost();
  t.after(() => host.remove());
  const inventory = fixture();
  const apply = (...args: string[]) => host.run([process.execPath, cli, 'apply', inventory, ...args]);

  const first = apply();
  assert.equal(first.code, 0, first.stdout + first.stderr);
  assert.match(host.passwd('provacct') ?? '', /:\/nonexistent-provacct:\/usr\/sbin\/nologin$/);
  assert.equal(host.record(), 'provacct\n');
  assert.match(apply().stdout, /changed=0/);
  const moved = apply('-e', 'acct_home=/srv/provacct');
  assert.equal(moved.code, 0, moved.stdout + moved.stderr);
  assert.match(host.passwd('provacct') ?? '', /:\/srv\/provacct:/);

  // An account someone else made: refused before anything is written, naming variable, host, account.
  assert.equal(host.run(['useradd', '--system', '--home-dir', '/home/theirs', '--shell', '/bin/sh', 'theirs']).code, 0);
  const before = host.passwd('theirs');
  const refused = apply('-e', 'acct_user=theirs');
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  const output = refused.stdout + refused.stderr;
  assert.match(output, /acct\.test/);
  assert.match(output, /acct_user: user theirs exists and provision did not create it \(it is not in \/var\/lib\/provision\/accounts\)/);
  assert.match(output, /home \/home\/theirs -> \/nonexistent-provacct, shell \/bin\/sh -> \/usr\/sbin\/nologin/);
  assert.equal(host.passwd('theirs'), before, 'the account is unchanged');
  assert.equal(host.record(), 'provacct\n');

  // One that already matches exactly is accepted as it is: nothing to change, nothing recorded.
  assert.equal(host.run(['useradd', '--system', '--home-dir', '/nonexistent-provacct', '--shell', '/usr/sbin/nologin', 'matching']).code, 0);
  const accepted = apply('-e', 'acct_user=matching');
  assert.equal(accepted.code, 0, accepted.stdout + accepted.stderr);
  assert.match(accepted.stdout, /changed=0/);
  assert.equal(host.record(), 'provacct\n');

  // An account with uid 0 under another name is never managed, even when it matches.
  assert.equal(host.run(['useradd', '--non-unique', '--uid', '0', '--home-dir', '/nonexistent-provacct', '--shell', '/usr/sbin/nologin', 'toor']).code, 0);
  const rootAlias = apply('-e', 'acct_user=toor');
  assert.equal(rootAlias.code, 3, rootAlias.stdout + rootAlias.stderr);
  assert.match(rootAlias.stdout + rootAlias.stderr, /acct_user: user toor has uid 0 \(it is root\): provision never manages such an account/);
});

test('root as a user resource or as acme_user is an error before any host is touched', () => {
  const inventory = fixture();
  const generic = provision(['plan', inventory, '-e', 'acct_user=root']);
  assert.equal(generic.code, 1, generic.stdout + generic.stderr);
  assert.match(
    generic.stderr,
    /roles\/acct\/role\.yml:\d+:\d+: name: "root" is the superuser: a user resource names an account provision creates, never root \(host: acct\.test\)/,
  );
  assert.match(generic.stderr, /nothing was changed/);

  const copy = tempInventory();
  const acme = provision(['apply', copy.inventory, '--root', copy.root, '-e', 'acme_user=root']);
  assert.equal(acme.code, 1, acme.stdout + acme.stderr);
  assert.match(acme.stderr, /acme_user: "root" is not an account provision may create \(never root: its home and shell would be changed\)/);
  assert.equal(existsSync(copy.root), false, 'nothing written');
});
