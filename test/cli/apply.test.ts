import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { provision, snapshot, tempInventory } from '../helpers/cli.js';

const web = 'web1.example.test';
const mail = 'mail1.example.test';

function json(stdout: string) {
  return JSON.parse(stdout) as {
    hosts: { name: string; status: string; changes: { resource: string; path: string; action: string }[] }[];
    summary: { hosts: number; changed: number; failed: number; unreachable: number };
  };
}

test('apply writes every managed file of both hosts; a second apply changes nothing and says so', () => {
  const { inventory, root } = tempInventory();
  const first = provision(['apply', inventory, '--root', root, '--json']);
  assert.equal(first.code, 0, first.stderr);
  const report = json(first.stdout);
  assert.deepEqual(
    report.hosts.map((h) => [h.name, h.status]),
    [
      [web, 'changed'],
      [mail, 'changed'],
    ],
  );
  assert.equal(report.summary.changed, 2);
  for (const host of report.hosts) {
    for (const change of host.changes.filter((c) => c.resource === 'file')) {
      assert.ok(existsSync(join(root, host.name, change.path)), `${host.name}:${change.path} written`);
    }
  }
  assert.ok(existsSync(join(root, web, 'etc/ssl/letsencrypt/account.key')), 'account key generated on the target');

  const second = provision(['apply', inventory, '--root', root]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`${web.replace(/\./g, '\\.')}\\s+: ok=\\d+ changed=0 failed=0 unreachable=0`));
  assert.match(second.stdout, new RegExp(`${mail.replace(/\./g, '\\.')}\\s+: ok=\\d+ changed=0 failed=0 unreachable=0`));
  const again = json(provision(['apply', inventory, '--root', root, '--json']).stdout);
  assert.equal(again.summary.changed, 0);
});

test('plan after a hand edit shows a diff of exactly that file, exits 2 with --detailed-exitcode, and writes nothing', () => {
  const { inventory, root } = tempInventory();
  assert.equal(provision(['apply', inventory, '--root', root]).code, 0);
  const edited = readdirSync(join(root, web, 'etc/apache2/conf-available')).map((n) => join(root, web, 'etc/apache2/conf-available', n))[0]!;
  appendFileSync(edited, '# edited by hand\n');
  const before = snapshot(root);
  const plan = provision(['plan', inventory, '--root', root, '--detailed-exitcode']);
  assert.equal(plan.code, 2, plan.stderr);
  const managedPath = edited.slice(join(root, web).length);
  const headers = plan.stdout.split('\n').filter((l) => l.startsWith('--- before:'));
  assert.deepEqual(headers, [`--- before: ${managedPath}`]);
  assert.match(plan.stdout, /^-# edited by hand$/m);
  assert.deepEqual(snapshot(root), before, 'check mode changes no byte');
  assert.equal(provision(['plan', inventory, '--root', root]).code, 0, 'without --detailed-exitcode, pending changes exit 0');
});

test('check mode on an empty tree creates nothing and lists what would be created', () => {
  const { inventory, root } = tempInventory();
  const result = provision(['apply', inventory, '--root', root, '--check']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /create file \/etc\/apache2\/conf-available\//);
  assert.match(result.stdout, /nothing was written/);
  assert.equal(existsSync(root), false);
});

test('--limit applies only the matching hosts', () => {
  const { inventory, root } = tempInventory();
  const result = provision(['apply', inventory, '--root', root, '--limit', 'web*', '--json']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(
    json(result.stdout).hosts.map((h) => h.name),
    [web],
  );
  assert.equal(existsSync(join(root, mail)), false);
  const none = provision(['apply', inventory, '--root', root, '--limit', 'nosuchhost']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /matches no host/);
});

test("render --out writes each host's files under DIR/<host>/<path> without connecting", () => {
  const { inventory, dir } = tempInventory();
  const out = join(dir, '..', 'rendered');
  const result = provision(['render', inventory, '--out', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(readFileSync(join(out, web, 'usr/local/sbin/letsencrypt-renew'), 'utf8'), /^#!\/bin\/sh/);
  assert.match(readFileSync(join(out, web, 'etc/cron.d/letsencrypt'), 'utf8'), /^\d+ \d+,\d+ \* \* \* root .*letsencrypt-renew$/m);
  assert.equal(existsSync(join(out, web, 'etc/ssl/letsencrypt/account.key')), false, 'keys are only ever made on the host');
});

test('the example inventory applies under the clone by default (provision_root)', () => {
  const { inventory, dir } = tempInventory();
  const result = provision(['apply', inventory, '--json']);
  assert.equal(result.code, 0, result.stderr);
  // provision_root is ../../build/example-root relative to the inventory file
  assert.ok(existsSync(join(dir, '../../build/example-root', web, 'etc/ssl/letsencrypt')));
});

test('a secret never appears in plan diffs or JSON output', () => {
  const { dir, inventory, root } = tempInventory();
  mkdirSync(join(dir, 'roles/app/templates'), { recursive: true });
  writeFileSync(join(dir, 'roles/app/role.yml'), 'prefix: app_\nresources:\n  - file: { template: app.conf.njk, dest: /etc/app.conf, mode: "0600" }\n');
  writeFileSync(join(dir, 'roles/app/schema.json'), JSON.stringify({ type: 'object', properties: { app_password: { type: 'string', secret: true } } }));
  writeFileSync(join(dir, 'roles/app/templates/app.conf.njk'), 'user = app\npassword = {{ app_password }}\n');
  writeFileSync(join(dir, 'group_vars/webservers.yml'), 'provision_roles: [letsencrypt, app]\napp_password: "correct horse battery"\n');
  for (const args of [
    ['plan', inventory, '--root', root],
    ['apply', inventory, '--root', root, '--diff', '--json'],
    ['apply', inventory, '--root', root, '--diff'],
  ]) {
    const result = provision(args);
    assert.ok(result.code === 0, result.stderr);
    assert.doesNotMatch(result.stdout + result.stderr, /correct horse/);
  }
  writeFileSync(join(dir, 'group_vars/webservers.yml'), 'provision_roles: [letsencrypt, app]\napp_password: "new secret value"\n');
  const plan = provision(['plan', inventory, '--root', root]);
  assert.match(plan.stdout, /update file \/etc\/app\.conf \(content\)\n\(content hidden\)/);
  assert.doesNotMatch(plan.stdout, /correct horse|new secret value/);
});
