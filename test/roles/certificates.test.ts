// The letsencrypt role's certificate list and schedule, seen through the real CLI on a copy of the
// example inventory: several certificates without acme_domains, the errors for a missing or repeated
// certificate, and renewal times that are stable per host (test/roles/schedule.test.ts checks them in detail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

const web = 'web1.example.test';
const mail = 'mail1.example.test';

/** The example with web1 given only the letsencrypt role and these host variables (YAML). */
function webWith(hostVars: string) {
  const copy = tempInventory();
  writeFileSync(join(copy.dir, 'host_vars', `${web}.yml`), `provision_roles: [letsencrypt]\n${hostVars}`);
  return copy;
}

function render(inventory: string): { code: number; stderr: string; out: string } {
  const out = mkdtempSync(join(tmpdir(), 'provision-render-'));
  const result = provision(['render', inventory, '--out', out]);
  return { code: result.code, stderr: result.stderr, out };
}

test('several certificates without acme_domains: one renewal line each, with its own services', () => {
  const copy = webWith(
    [
      'acme_services: [nginx]',
      'acme_certificates:',
      '  - { name: www.example.test, domains: [www.example.test, example.test] }',
      '  - { name: shop.example.test, domains: [shop.example.test], key_type: ec384, services: [haproxy] }',
      '',
    ].join('\n'),
  );
  const { code, stderr, out } = render(copy.inventory);
  assert.equal(code, 0, stderr);
  const script = readFileSync(join(out, web, 'usr/local/sbin/letsencrypt-renew'), 'utf8');
  assert.match(script, /^\trenew_certificate www\.example\.test nginx www\.example\.test example\.test \|\| status=1$/m);
  assert.match(script, /^\trenew_certificate shop\.example\.test haproxy shop\.example\.test \|\| status=1$/m);
  assert.equal(script.match(/^\trenew_certificate /gm)?.length, 2);
});

test('neither acme_domains nor acme_certificates: a schema error that says to set one, nothing rendered', () => {
  const copy = webWith('');
  const { code, stderr, out } = render(copy.inventory);
  assert.equal(code, 1, stderr);
  assert.match(
    stderr,
    /acme_certificates: expected at least one certificate: set acme_domains \(one certificate\) or acme_certificates, got \[\] \(host: web1\.example\.test\)/,
  );
  assert.equal(existsSync(join(out, web)), false);
});

test('two certificates with the same name: the second one is named, at its line', () => {
  const copy = webWith(
    ['acme_certificates:', '  - { name: a.example.test, domains: [a.example.test] }', '  - { name: a.example.test, domains: [b.example.test] }', ''].join('\n'),
  );
  const { code, stderr } = render(copy.inventory);
  assert.equal(code, 1, stderr);
  assert.match(
    stderr,
    new RegExp(`host_vars/${web}\\.yml:4:\\d+: acme_certificates\\[1\\]\\.name: "a\\.example\\.test" is already the name of acme_certificates\\[0\\]`),
  );
});

test('the daily renewal times come from the host name: twice a day, the same at every render, different across hosts', () => {
  const copy = tempInventory();
  const first = render(copy.inventory);
  const second = render(copy.inventory);
  assert.equal(first.code, 0, first.stderr);
  const cron = (out: string, host: string) => readFileSync(join(out, host, 'etc/cron.d/letsencrypt'), 'utf8');
  assert.equal(cron(first.out, web), cron(second.out, web));
  const time = (text: string) => /^(\d+) ([\d,]+) \* \* \* root /m.exec(text)!.slice(1, 3).join(':');
  assert.notEqual(time(cron(first.out, web)), time(cron(first.out, mail)));
  assert.match(cron(first.out, web), /^\d+ \d+,\d+ \* \* \* root \[ -x \/usr\/local\/sbin\/letsencrypt-renew \] && \/usr\/local\/sbin\/letsencrypt-renew$/m);
});

test('acme_schedule systemd and monthly replace the cron.d file', () => {
  for (const [schedule, present, absent] of [
    ['systemd', ['etc/systemd/system/letsencrypt-renew.timer', 'etc/systemd/system/letsencrypt-renew.service'], 'etc/cron.d/letsencrypt'],
    ['monthly', ['etc/cron.monthly/letsencrypt'], 'etc/cron.d/letsencrypt'],
  ] as const) {
    const copy = webWith(`acme_domains: [${web}]\nacme_schedule: ${schedule}\n`);
    const { code, stderr, out } = render(copy.inventory);
    assert.equal(code, 0, stderr);
    for (const path of present) assert.ok(existsSync(join(out, web, path)), `${schedule}: ${path}`);
    assert.equal(existsSync(join(out, web, absent)), false, `${schedule}: no ${absent}`);
  }
});
