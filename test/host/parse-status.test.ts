// The status script's answers read back, on the real output of OpenSSL 3.0 (Debian 12) for a leaf
// without a subject (SAN names only, as Let's Encrypt's tlsserver and shortlived certificates).
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { keyTypeOf, parseOpensslDate, parseStatus } from '../../src/host/protocol/parse-status.js';
import { ProbeOutputError } from '../../src/host/protocol/parse-probe.js';

const output = `@now 1796186635
@c0 file domain.key 1
@c0 file signed.crt 1
@c0 file chain.pem 1
@c0 file fullchain.pem 1
@c0 x509 serial=0a1b2c3d4e5f
@c0 x509 notBefore=Jan  1 00:00:00 2025 GMT
@c0 x509 notAfter=Mar  1 00:00:00 2025 GMT
@c0 x509 issuer=CN=root
@c0 x509 subject=
@c0 x509 X509v3 Subject Alternative Name: 
@c0 x509     DNS:a.test, DNS:b.test, IP Address:192.0.2.1
@c0 pubkey MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAs3bq7emxsENyJCRTLrR2kl+OJJ5mes+odXeREh88L1liYwSfv3Ox01SbfC+zI6K1flZMA6s7oeAnk4X+ULbM5DlLFK1HKxu8Ws+Y8u/gTQFTaUYlBYebvQxc42D+v+ST4JiJUcMzHGcPqLJG4w7o3hAnoIhq+Gn7BR3/KewfOiVh4sWgLWOkc1joMSYOyeE1IvQslJa8I9JWiic+CbV+eZErX/N606q1S45xUyb0ApNugiGenls3qO5b+I5SkHAVJS5p7eaF7/+wB/lfhheLRcYGkJKCr/nKNWcI4VSKrFL0JiddoA32xhKJmn3l5LDjrOZZXlKztW/TyH5DfMHgGwIDAQAB
@c0 keymatch 1
@c0 chain 1 1 0
@c0 state eyJ2ZXJzaW9uIjoxfQ==
@schedule systemd 1 enabled active Wed 2026-12-02 15:00:00 UTC
@e0 served serial=0A1B2C3D4E5F
@e0 served notAfter=Mar  1 00:00:00 2025 GMT
@e1 unserved 4057D1B4607F0000:error:8000006F:system library:BIO_connect:Connection refused
@done
`;

test('the status lines become the observation, dates in epoch seconds', () => {
  const seen = parseStatus(output);
  assert.equal(seen.now, 1796186635);
  const c = seen.certificates.get('c0')!;
  assert.equal(c.serial, '0A1B2C3D4E5F');
  assert.equal(c.notBefore, Date.UTC(2025, 0, 1) / 1000);
  assert.equal(c.notAfter, Date.UTC(2025, 2, 1) / 1000);
  assert.deepEqual(c.names, ['a.test', 'b.test', '192.0.2.1']);
  assert.equal(c.subject, '');
  assert.equal(c.keyType, 'rsa2048');
  assert.equal(c.keyMatch, 'yes');
  assert.deepEqual([c.oneSet, c.chainIssued, c.trusted], [true, true, false]);
  assert.equal(c.state, '{"version":1}');
  assert.deepEqual(seen.schedule, { kind: 'systemd', present: true, enabled: 'enabled', active: 'active', next: 'Wed 2026-12-02 15:00:00 UTC' });
  assert.deepEqual(seen.endpoints.get('e0'), { serial: '0A1B2C3D4E5F', notAfter: Date.UTC(2025, 2, 1) / 1000 });
  assert.match(seen.endpoints.get('e1')!.error!, /Connection refused/);
});

test('the key type is read from the public key itself', () => {
  const ec = execFileSync('sh', ['-c', 'openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 | openssl pkey -pubout -outform DER | base64 -w0'], {
    encoding: 'utf8',
  });
  assert.equal(keyTypeOf(ec), 'ec384');
  const ed = execFileSync('sh', ['-c', 'openssl genpkey -algorithm ED25519 | openssl pkey -pubout -outform DER | base64 -w0'], { encoding: 'utf8' });
  assert.equal(keyTypeOf(ed), 'ed25519');
  assert.equal(keyTypeOf('bm90IGEga2V5'), 'unknown');
});

test('a cut-off answer is an error, not a judgement on half the host', () => {
  assert.throws(() => parseStatus(output.replace('@done\n', '')), ProbeOutputError);
});

test('openssl dates: the classic and the ISO 8601 forms; anything else is no date', () => {
  assert.equal(parseOpensslDate('Feb 29 23:59:59 2028 GMT'), Date.UTC(2028, 1, 29, 23, 59, 59) / 1000);
  assert.equal(parseOpensslDate('2028-02-29 23:59:59Z'), Date.UTC(2028, 1, 29, 23, 59, 59) / 1000);
  assert.equal(parseOpensslDate('tomorrow'), undefined);
});
