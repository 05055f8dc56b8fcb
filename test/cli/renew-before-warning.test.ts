// acme_renew_before of half a Let's Encrypt lifetime or more, through the real CLI: validate and plan
// warn (host, variable, value, the lifetimes it does not fit, what the renewal script does then) and
// go on; validate --strict fails on it; a value that fits every lifetime, or none set, is quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

function withRenewBefore(web1: number, mail1?: number) {
  const copy = tempInventory();
  appendFileSync(join(copy.dir, 'host_vars/web1.example.test.yml'), `acme_renew_before: ${web1}\n`);
  if (mail1 !== undefined) appendFileSync(join(copy.dir, 'host_vars/mail1.example.test.yml'), `acme_renew_before: ${mail1}\n`);
  return copy;
}

test('validate warns about acme_renew_before: 30 (half of 45-day certificates), names the host, value and lifetimes, and exits 0', () => {
  const { inventory } = withRenewBefore(30, 3);
  const result = provision(['validate', inventory]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  const warnings = result.stdout.split('\n').filter((line) => line.includes('warning: '));
  assert.equal(warnings.length, 1, result.stdout);
  assert.match(
    warnings[0]!,
    /host_vars\/web1\.example\.test\.yml:\d+:\d+: web1\.example\.test: warning: acme_renew_before: 30 days is half or more of the lifetime of Let's Encrypt's classic certificates from 2028-02-16 \(45 days\), of tlsserver ones \(45 days\) and of shortlived ones \(160 hours\): for such a certificate the renewal script renews when a third of its lifetime remains instead, and logs a warning$/,
  );
  assert.match(result.stdout, /^0 error\(s\), 1 warning\(s\); 2 host\(s\)/m);
});

test('validate --strict makes the acme_renew_before warning an error', () => {
  const { inventory } = withRenewBefore(30);
  const result = provision(['validate', '--strict', inventory]);
  assert.equal(result.code, 1, result.stdout + result.stderr);
  assert.match(result.stdout, /web1\.example\.test: acme_renew_before: 30 days is half or more/);
  assert.match(result.stdout, /^1 error\(s\), 0 warning\(s\)/m);
});

test('the lifetimes named follow the value: 45 days fits none, 4 only not the 160-hour shortlived ones', () => {
  const all = provision(['validate', withRenewBefore(45).inventory]);
  assert.match(all.stdout, /45 days is half or more of the lifetime of Let's Encrypt's certificates of every profile \(classic 90 days/);
  const shortlived = provision(['validate', withRenewBefore(4).inventory]);
  assert.match(shortlived.stdout, /4 days is half or more of the lifetime of Let's Encrypt's shortlived certificates \(160 hours\): /);
  const fits = provision(['validate', withRenewBefore(3).inventory]);
  assert.match(fits.stdout, /^0 error\(s\), 0 warning\(s\)/m, '3 days is less than half of 160 hours');
});

test('plan warns on stderr, naming the host, and plans as usual', () => {
  const { inventory, root } = withRenewBefore(30);
  const result = provision(['plan', inventory, '--root', root]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.match(
    result.stderr,
    /^warning: .*host_vars\/web1\.example\.test\.yml:\d+:\d+: acme_renew_before: 30 days is half or more .* \(host: web1\.example\.test\)$/m,
  );
  assert.match(result.stdout, /web1\.example\.test/);
});
