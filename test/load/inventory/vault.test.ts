// Ansible Vault (src/inventory/vault/): files and values made by the real `ansible-vault`, opened with
// every way of giving the password, through the real CLI. A decrypted value is never shown.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { decryptVault, type VaultSecret } from '../../../src/load/inventory/vault/vault-format.js';
import { provision, tempInventory } from '../../helpers/cli.js';
import { loadInventory } from '../../../src/load/inventory/index.js';
import { FIXTURES, host, loadFixture, problemsOf } from './helpers.js';
import path from 'node:path';

const secret = (label: string, password: string): VaultSecret => ({ label, password: Buffer.from(password), source: `test ${label}` });

/** A temp copy of the example with a vault file in group_vars, an inline `!vault` value (label prod) and password files. */
function vaultInventory() {
  const copy = tempInventory();
  writeFileSync(join(copy.dir, 'pass.txt'), 'default-password\n');
  writeFileSync(join(copy.dir, 'prod-pass.txt'), 'prod-password\n');
  const file = join(copy.dir, 'group_vars/mailservers/secret.yml');
  writeFileSync(file, 'db_password: whole-file-plaintext\ndb: {user: app, password: nested-plaintext}\n');
  execFileSync('ansible-vault', ['encrypt', '--vault-password-file', join(copy.dir, 'pass.txt'), file], { stdio: 'pipe' });
  const inline = execFileSync(
    'ansible-vault',
    ['encrypt_string', '--vault-id', `prod@${join(copy.dir, 'prod-pass.txt')}`, 'inline-plaintext', '--name', 'api_token'],
    { encoding: 'utf8', stdio: 'pipe' },
  );
  appendFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), `\n${inline}`);
  return copy;
}

const PLAINTEXTS = /whole-file-plaintext|nested-plaintext|inline-plaintext/;

test('the format: 1.1 and 1.2 with a label, made by ansible-vault; a wrong password opens nothing', () => {
  const copy = vaultInventory();
  const file = readFileSync(join(copy.dir, 'group_vars/mailservers/secret.yml'), 'utf8');
  assert.match(file, /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  assert.equal(
    decryptVault(file, [secret('default', 'default-password')])?.plaintext.toString(),
    'db_password: whole-file-plaintext\ndb: {user: app, password: nested-plaintext}\n',
  );
  assert.equal(decryptVault(file, [secret('default', 'nope')]), null);
  const inline = readFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), 'utf8');
  const block = inline.slice(inline.indexOf('$ANSIBLE_VAULT')).replace(/^ +/gm, '');
  assert.match(block, /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n/);
  // the secret with the header's label is tried first, then the others (its label is only a hint)
  assert.deepEqual(decryptVault(block, [secret('other', 'prod-password'), secret('prod', 'x')])?.label, 'other');
  assert.deepEqual(decryptVault(block, [secret('default', 'x'), secret('prod', 'prod-password')])?.plaintext.toString(), 'inline-plaintext');
});

test('hosts --vars: vault values are (secret) in text and JSON, and the plaintext is nowhere', () => {
  const copy = vaultInventory();
  const args = ['--vault-password-file', join(copy.dir, 'pass.txt'), '--vault-id', `prod@${join(copy.dir, 'prod-pass.txt')}`];
  const text = provision(['hosts', copy.inventory, '--vars', ...args]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /api_token: "\(secret\)"/);
  assert.match(text.stdout, /db_password: "\(secret\)"/);
  assert.match(text.stdout, /db: "\(secret\)"/);
  const json = provision(['hosts', copy.inventory, '--vars', '--json', ...args]);
  assert.equal(json.code, 0, json.stderr);
  const mail = (JSON.parse(json.stdout) as { hosts: { name: string; vars: Record<string, unknown> }[] }).hosts.find((h) => h.name === 'mail1.example.test')!;
  assert.equal(mail.vars.db_password, '(secret)');
  assert.doesNotMatch(text.stdout + text.stderr + json.stdout + json.stderr, PLAINTEXTS);
});

test('without a password: one error per file naming the file and the option; nothing written', () => {
  const copy = vaultInventory();
  const result = provision(['plan', copy.inventory, '--root', copy.root]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /group_vars\/mailservers\/secret\.yml: this file is encrypted with Ansible Vault; give its password with --vault-password-file FILE/,
  );
  assert.match(
    result.stderr,
    /host_vars\/web1\.example\.test\.yml:\d+:\d+: api_token: the value \(!vault\) is encrypted with Ansible Vault; give its password with --vault-password-file/,
  );
  assert.match(result.stderr, /2 problem\(s\) found; nothing was changed/);
  assert.equal(existsSync(copy.root), false);
});

test('a wrong password: an error naming the file, the option tried, and no plaintext', () => {
  const copy = vaultInventory();
  writeFileSync(join(copy.dir, 'wrong.txt'), 'not-it\n');
  const result = provision(['hosts', copy.inventory, '--vars', '--vault-password-file', join(copy.dir, 'wrong.txt')]);
  assert.equal(result.code, 1);
  assert.match(
    result.stderr,
    /group_vars\/mailservers\/secret\.yml: this file cannot be decrypted with the vault password given \(--vault-password-file .*wrong\.txt\): wrong password\?/,
  );
  assert.match(result.stderr, /api_token: the value \(!vault\) cannot be decrypted/);
  assert.equal(result.stdout, '');
});

test('an executable password file is run; --vault-id LABEL@script, a -client script and ANSIBLE_VAULT_PASSWORD_FILE work', () => {
  const copy = vaultInventory();
  const script = join(copy.dir, 'pass.sh');
  writeFileSync(script, '#!/bin/sh\necho default-password\n');
  chmodSync(script, 0o700);
  const client = join(copy.dir, 'vault-client.sh');
  // a client script is asked for the label it should print the password of
  writeFileSync(client, '#!/bin/sh\n[ "$1" = --vault-id ] && [ "$2" = prod ] && echo prod-password && exit 0\nexit 2\n');
  chmodSync(client, 0o700);
  const viaScripts = provision(['hosts', copy.inventory, '--vars', '--vault-password-file', script, '--vault-id', `prod@${client}`]);
  assert.equal(viaScripts.code, 0, viaScripts.stderr);
  assert.match(viaScripts.stdout, /api_token: "\(secret\)"/);
  const env = execFileSync(
    process.execPath,
    [join(import.meta.dirname, '../../../dist/cli/cli.js'), 'hosts', copy.inventory, '--vars', '--vault-id', `prod@${join(copy.dir, 'prod-pass.txt')}`],
    {
      encoding: 'utf8',
      env: { ...process.env, ANSIBLE_VAULT_PASSWORD_FILE: join(copy.dir, 'pass.txt') },
    },
  );
  assert.match(env, /db_password: "\(secret\)"/);
});

test('--ask-vault-pass without a terminal is refused, pointing at --vault-password-file', () => {
  const copy = vaultInventory();
  const result = provision(['hosts', copy.inventory, '--ask-vault-pass']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /--ask-vault-pass needs a terminal to ask for the password; give it with --vault-password-file FILE instead/);
});

test('-e @vault-file is decrypted, and a file rendered from a vault value is diffed as (content hidden)', () => {
  const copy = vaultInventory();
  mkdirSync(join(copy.dir, 'roles/app/templates'), { recursive: true });
  writeFileSync(join(copy.dir, 'roles/app/role.yml'), 'prefix: app_\nresources:\n  - file: { template: app.conf.njk, dest: /etc/app.conf, mode: "0600" }\n');
  // app_password is not declared secret by the role: the vault alone makes it secret
  writeFileSync(join(copy.dir, 'roles/app/schema.json'), JSON.stringify({ type: 'object', properties: { app_password: { type: 'string' } } }));
  writeFileSync(join(copy.dir, 'roles/app/templates/app.conf.njk'), 'user = app\npassword = {{ app_password }}\n');
  writeFileSync(join(copy.dir, 'group_vars/webservers.yml'), 'provision_roles: [letsencrypt, app]\n');
  const extra = join(copy.dir, 'extra.yml');
  writeFileSync(extra, 'app_password: extra-file-plaintext\n');
  execFileSync('ansible-vault', ['encrypt', '--vault-password-file', join(copy.dir, 'pass.txt'), extra], { stdio: 'pipe' });
  const args = ['--vault-password-file', join(copy.dir, 'pass.txt'), '--vault-id', `prod@${join(copy.dir, 'prod-pass.txt')}`, '-e', `@${extra}`];
  const plan = provision(['plan', copy.inventory, '--root', copy.root, ...args]);
  assert.equal(plan.code, 0, plan.stderr);
  assert.match(plan.stdout, /create file \/etc\/app\.conf[^\n]*\n\(content hidden\)/);
  const json = provision(['apply', copy.inventory, '--root', copy.root, '--diff', '--json', ...args]);
  assert.equal(json.code, 0, json.stderr);
  assert.doesNotMatch(plan.stdout + plan.stderr + json.stdout + json.stderr, /extra-file-plaintext/);
  assert.doesNotMatch(plan.stdout + json.stdout, PLAINTEXTS);
  // the host got the decrypted value
  assert.match(readFileSync(join(copy.root, 'web1.example.test/etc/app.conf'), 'utf8'), /password = extra-file-plaintext/);
});

test('a value decrypted for one load is not handed to a later load without the password', () => {
  const withPasswords = loadFixture('vault');
  assert.equal(host(withPasswords, 'web1').vars.api_key, 'inline-default');
  assert.equal(host(withPasswords, 'web1').origins.get('api_key')?.secret, true);
  const problems = problemsOf(() => loadInventory('hosts.yml', { cwd: path.join(FIXTURES, 'vault'), vaultSecrets: [] }));
  assert.ok(problems.some((p) => /is encrypted with Ansible Vault/.test(p.message)));
});
