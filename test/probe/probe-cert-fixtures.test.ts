// The probe's certificate and request readers (probe_cert, probe_csr in shell/probe.sh, run with dash)
// on the fixture certificates and requests of test/fixtures/openssl: with this machine's openssl and with the recorded output of
// every OpenSSL version there replayed (test/helpers/openssl-replay.sh, a stand-in). A certificate
// without a CN or without any subject is issued, not a placeholder: subject and issuer are compared whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fixtureCerts, fixturesDir, loadShellFunctions } from '../helpers/shell-functions.js';

const versions = readdirSync(fixturesDir).filter((name) => /^\d+\.\d+$/.test(name));
const csrProbeArgs = ['-noout', '-pubkey', '-text', '-subject', '-nameopt', 'RFC2253'];

test('the recorded request outputs of this machine’s OpenSSL version are what its openssl prints now', (t) => {
  const version = /^OpenSSL (\d+\.\d+)\./.exec(spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout)?.[1];
  if (!version || !versions.includes(version)) return t.skip(`no fixtures recorded for OpenSSL ${version}`);
  for (const csr of readdirSync(fixtureCerts).filter((f) => f.endsWith('.csr'))) {
    const real = spawnSync('openssl', ['req', '-in', join(fixtureCerts, csr), ...csrProbeArgs], { encoding: 'utf8' }).stdout;
    assert.equal(real, readFileSync(join(fixturesDir, version, csr.replace(/\.csr$/, '.csr-probe')), 'utf8'), csr);
  }
});

for (const openssl of [undefined, ...versions]) {
  const label = openssl ? `recorded OpenSSL ${openssl}` : 'this machine’s openssl';
  const sh = loadShellFunctions('shell/probe.sh', openssl);
  const probe = (cert: string, key: string) => sh.call('probe_cert', ['c', join(fixtureCerts, `${cert}.pem`), join(fixtureCerts, `${key}.key`)]).stdout;

  test(`${label}: probe_cert tells the placeholder from issued certificates, with and without CN or subject`, () => {
    assert.equal(probe('placeholder', 'many-names'), '@c certificate self-signed 1\n');
    assert.equal(probe('many-names', 'many-names'), '@c certificate issued 1\n');
    assert.equal(probe('no-subject', 'no-subject'), '@c certificate issued 1\n');
    assert.equal(probe('no-cn', 'no-cn'), '@c certificate issued 1\n');
    assert.equal(probe('no-san', 'no-san'), '@c certificate issued 1\n');
  });

  test(`${label}: probe_cert sees a certificate of another key`, () => {
    assert.equal(probe('no-subject', 'many-names'), '@c certificate issued 0\n');
    assert.equal(probe('placeholder', 'no-cn'), '@c certificate self-signed 0\n');
  });

  test(`${label}: probe_csr reads the request's SAN names and subject, and whether it was made from the key`, () => {
    const csr = (name: string, key: string) => sh.call('probe_csr', ['r', join(fixtureCerts, `${name}.csr`), join(fixtureCerts, `${key}.key`)]).stdout;
    assert.match(
      csr('many-names', 'many-names'),
      /^@r csr \d+ \S+ \S+ 1 DNS:www\.example\.test,DNS:Example\.TEST,DNS:\*\.example\.test,DNS:mail\.example\.test\n@r subject subject=CN=www\.example\.test,O=Example GmbH,C=DE\n$/,
    );
    assert.match(csr('no-subject', 'no-subject'), /^@r csr \d+ \S+ \S+ 1 DNS:short\.example\.test\n@r subject subject=\n$/);
    assert.match(csr('no-subject', 'many-names'), /^@r csr \d+ \S+ \S+ 0 DNS:short\.example\.test\n/);
  });
}
