// The probe's certificate reader (probe_cert in shell/probe.sh, run with dash) on the fixture
// certificates of test/fixtures/openssl: with this machine's openssl and with the recorded output of
// every OpenSSL version there replayed (test/helpers/openssl-replay.sh, a stand-in). A certificate
// without a CN or without any subject is issued, not a placeholder: subject and issuer are compared whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCerts, fixturesDir, loadShellFunctions } from '../helpers/shell-functions.js';

const versions = readdirSync(fixturesDir).filter((name) => /^\d+\.\d+$/.test(name));

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
}
