import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

/** A temp copy of the example with `files` written into it (paths relative to the inventory dir). */
function brokenInventory(files: Record<string, string>) {
  const copy = tempInventory();
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(copy.dir, path, '..'), { recursive: true });
    writeFileSync(join(copy.dir, path), text);
  }
  return copy;
}

function assertRejected(copy: { inventory: string; root: string }, expected: RegExp[], args: string[] = []) {
  for (const command of [['apply'], ['plan'], ['apply', '--check']]) {
    const result = provision([...command, copy.inventory, '--root', copy.root, ...args]);
    assert.equal(result.code, 1, `${command.join(' ')}: ${result.stdout}${result.stderr}`);
    for (const pattern of expected) assert.match(result.stderr, pattern);
    assert.match(result.stderr, /nothing was changed/);
    assert.equal(existsSync(copy.root), false, 'nothing written');
  }
}

test('malformed YAML: file, line and column, nothing written', () => {
  const copy = brokenInventory({ 'host_vars/web1.example.test.yml': 'acme_domains:\n  - web1.example.test\n  - [unclosed\n' });
  assertRejected(copy, [/host_vars\/web1\.example\.test\.yml:\d+:\d+: malformed YAML/]);
});

test('a domain with shell syntax is refused with the file, line, variable and value', () => {
  const copy = brokenInventory({ 'host_vars/web1.example.test.yml': 'acme_domains:\n  - web1.example.test\n  - "x.com; rm -rf /"\n' });
  assertRejected(copy, [/host_vars\/web1\.example\.test\.yml:3:5: acme_domains\[1\]: "x\.com; rm -rf \/" is not a DNS name \(host: web1\.example\.test\)/]);
});

test('a misspelt role variable is reported with a suggestion, together with every other problem', () => {
  const copy = brokenInventory({
    'host_vars/web1.example.test.yml': 'acme_domains: [web1.example.test]\nacme_domian: [oops.example.test]\n',
    'host_vars/mail1.example.test.yml': 'acme_domains: ["bad name"]\n',
  });
  assertRejected(copy, [
    /web1\.example\.test\.yml:2:\d+: acme_domian: unknown variable \(did you mean acme_domains\?\)/,
    /mail1\.example\.test\.yml:1:16: acme_domains\[0\]: "bad name" is not a DNS name/,
  ]);
});

test('an undefined variable in a template names the template, line and variable', () => {
  const copy = brokenInventory({
    'roles/broken/role.yml': 'prefix: broken_\nresources:\n  - file:\n      template: x.conf.njk\n      dest: /etc/x.conf\n',
    'roles/broken/templates/x.conf.njk': 'line one\nvalue = {{ no_such_variable }}\n',
    'host_vars/web1.example.test.yml': 'acme_domains: [web1.example.test]\nprovision_roles: [letsencrypt, broken]\n',
  });
  assertRejected(copy, [
    /roles\/broken\/templates\/x\.conf\.njk:2:\d+: template error: variable "no_such_variable" is undefined \(host: web1\.example\.test\)/,
  ]);
});

test('a destination with .. is refused, naming the role file and line', () => {
  const copy = brokenInventory({
    'roles/escape/role.yml': 'prefix: escape_\nresources:\n  - file:\n      template: x.njk\n      dest: "/etc/../../root/.ssh/authorized_keys"\n',
    'roles/escape/templates/x.njk': 'x\n',
    'group_vars/webservers.yml': 'provision_roles: [letsencrypt, escape]\n',
  });
  assertRejected(copy, [
    /roles\/escape\/role\.yml:5:13: dest: "\/etc\/\.\.\/\.\.\/root\/\.ssh\/authorized_keys" is not an absolute path without "\.\." segments/,
  ]);
});

test('an unknown role and a role missing its requirement are reported', () => {
  const copy = brokenInventory({ 'group_vars/webservers.yml': 'provision_roles: [apache, letsencrpyt]\n' });
  assertRejected(copy, [/provision_roles\[1\]: unknown role "letsencrpyt" \(did you mean letsencrypt\?\)/]);
});

test('bad -e values and a missing inventory are usage errors', () => {
  const copy = tempInventory();
  const missing = provision(['apply', join(copy.dir, 'nope.yml'), '--root', copy.root]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /nope\.yml/);
  const badExtra = provision(['apply', copy.inventory, '--root', copy.root, '-e', 'acme_domains=not-a-list']);
  assert.equal(badExtra.code, 1);
  assert.match(badExtra.stderr, /acme_domains: expected a list, got "not-a-list"/);
  assert.equal(existsSync(copy.root), false);
  const unknownFlag = provision(['apply', copy.inventory, '--bogus']);
  assert.equal(unknownFlag.code, 1);
  assert.match(unknownFlag.stderr, /Unknown argument: bogus/);
});

test('a secret variable with a bad value is reported without its value', () => {
  const copy = brokenInventory({
    'roles/app/role.yml': 'prefix: app_\nresources: []\n',
    'roles/app/schema.json': JSON.stringify({ type: 'object', properties: { app_password: { type: 'string', minLength: 30, secret: true } } }),
    'group_vars/webservers.yml': 'provision_roles: [letsencrypt, app]\napp_password: "short but secret"\n',
  });
  for (const command of [['apply'], ['plan']]) {
    const result = provision([...command, copy.inventory, '--root', copy.root]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /app_password/);
    assert.doesNotMatch(result.stdout + result.stderr, /short but secret/);
  }
});
