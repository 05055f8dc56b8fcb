// The renewal script's readers of openssl's output (roles/letsencrypt/files/renew.sh, run with dash
// as installed), on the fixture certificates of test/fixtures/openssl: with this machine's openssl, and
// with the recorded output of every OpenSSL version there replayed (a stand-in, see its header). The
// fixtures must be what the real openssl prints today, or the replays prove nothing: the first test
// compares them. Dates, names and the issuer come only from single fields, never from -text; names
// only from the SAN extension, so certificates without a CN or without any subject work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureCerts, fixturesDir, loadShellFunctions } from '../helpers/shell-functions.js';

const script = 'roles/letsencrypt/files/renew.sh';
const versions = readdirSync(fixturesDir).filter((name) => /^\d+\.\d+$/.test(name));
const epoch = (iso: string) => String(Date.parse(iso) / 1000);
const lines = (text: string) => text.split('\n').filter((line) => line !== '');

test('the recorded outputs of this machine’s OpenSSL version are what its openssl prints now', (t) => {
  const version = /^OpenSSL (\d+\.\d+)\./.exec(spawnSync('openssl', ['version'], { encoding: 'utf8' }).stdout)?.[1];
  if (!version || !versions.includes(version)) return t.skip(`no fixtures recorded for OpenSSL ${version} (bash test/fixtures/openssl/record.sh)`);
  const recorder = readFileSync(join(fixturesDir, 'record.sh'), 'utf8');
  const fields = [...recorder.matchAll(/^\t'([a-z-]+):([^']+)'$/gm)].map((m) => ({ field: m[1]!, args: m[2]!.split(' ') }));
  assert.ok(fields.length >= 8, 'the recorder lists the fields');
  for (const pem of readdirSync(fixtureCerts).filter((f) => f.endsWith('.pem'))) {
    for (const { field, args } of fields) {
      const real = spawnSync('openssl', ['x509', '-in', join(fixtureCerts, pem), ...args], { encoding: 'utf8' });
      const recorded = join(fixturesDir, version, `${pem.replace(/\.pem$/, '')}.${field}`);
      assert.equal(real.stdout, readFileSync(recorded, 'utf8'), `${recorded}`);
      assert.equal(real.stderr, existsSync(`${recorded}.err`) ? readFileSync(`${recorded}.err`, 'utf8') : '', `${recorded}.err`);
    }
  }
});

for (const openssl of [undefined, ...versions]) {
  const label = openssl ? `recorded OpenSSL ${openssl}` : 'this machine’s openssl';
  const sh = loadShellFunctions(script, openssl);
  const cert = (name: string) => join(fixtureCerts, `${name}.pem`);
  /** CERT_DIR with domain.key (a fixture key) and FILE.pem made of the named certificates, in order */
  const certDir = (key: string, parts: string[]) => {
    const dir = join(sh.dir, `${key}-${parts.join('+')}`);
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(fixtureCerts, `${key}.key`), join(dir, 'domain.key'));
    writeFileSync(join(dir, 'fullchain.pem'), parts.map((p) => readFileSync(cert(p), 'utf8')).join(''));
    return dir;
  };

  test(`${label}: not_before and not_after are the certificate's dates in seconds since 1970`, () => {
    const expected: Record<string, [string, string]> = {
      'many-names': ['2026-11-01T00:00:00Z', '2027-01-30T00:00:00Z'],
      'no-subject': ['2026-11-01T00:00:00Z', '2026-11-07T16:00:00Z'],
      'no-cn': ['2026-11-01T00:00:00Z', '2026-12-16T00:00:00Z'],
      'no-san': ['2026-11-01T00:00:00Z', '2027-01-30T00:00:00Z'],
    };
    for (const [name, [start, end]] of Object.entries(expected)) {
      assert.deepEqual(sh.call('not_before', [cert(name)]), { status: 0, stdout: `${epoch(start)}\n`, stderr: '' }, name);
      assert.deepEqual(sh.call('not_after', [cert(name)]), { status: 0, stdout: `${epoch(end)}\n`, stderr: '' }, name);
    }
  });

  test(`${label}: a file without a certificate has no dates (fails, prints nothing)`, () => {
    const notACert = join(sh.dir, 'not-a-cert.pem');
    writeFileSync(notACert, 'notAfter=Jan  1 00:00:00 2030 GMT\n');
    for (const fn of ['not_before', 'not_after']) {
      const result = sh.call(fn, [notACert]);
      assert.notEqual(result.status, 0, fn);
      assert.equal(result.stdout, '', fn);
    }
  });

  test(`${label}: dns_names are the SAN's DNS entries only, lower case: no CN, no IP address`, () => {
    assert.deepEqual(lines(sh.call('dns_names', [cert('many-names')]).stdout), ['*.example.test', 'example.test', 'mail.example.test', 'www.example.test']);
    assert.deepEqual(lines(sh.call('dns_names', [cert('no-subject')]).stdout), ['short.example.test']);
    assert.deepEqual(lines(sh.call('dns_names', [cert('no-cn')]).stdout), ['tls.example.test']);
    // A CN is no name: a certificate without a SAN names nothing.
    assert.deepEqual(lines(sh.call('dns_names', [cert('no-san')]).stdout), []);
    const no_san = sh.call('same_names', [cert('no-san'), 'legacy.example.test']);
    assert.notEqual(no_san.status, 0, 'the CN of a certificate without SAN does not count');
    assert.equal(sh.call('same_names', [cert('many-names'), 'WWW.example.test', 'example.test', '*.example.test', 'mail.example.test']).status, 0);
    assert.notEqual(sh.call('same_names', [cert('many-names'), 'www.example.test', 'example.test']).status, 0, 'a name fewer is other names');
  });

  test(`${label}: self_signed is the placeholder only, also for certificates without a CN or any subject`, () => {
    assert.equal(sh.call('self_signed', [cert('placeholder')]).status, 0);
    for (const name of ['many-names', 'no-subject', 'no-cn', 'no-san']) assert.notEqual(sh.call('self_signed', [cert(name)]).status, 0, name);
  });

  test(`${label}: matches_key compares -pubkey with the domain key's public key`, () => {
    assert.equal(sh.call('matches_key', [cert('many-names')], { CERT_DIR: certDir('many-names', ['many-names']) }).status, 0);
    assert.equal(sh.call('matches_key', [cert('placeholder')], { CERT_DIR: certDir('many-names', ['placeholder']) }).status, 0);
    assert.notEqual(sh.call('matches_key', [cert('no-subject')], { CERT_DIR: certDir('many-names', ['no-subject']) }).status, 0);
  });

  test(`${label}: issued_by_chain compares the leaf's issuer with the next certificate's subject (RFC 2253, a comma escaped)`, () => {
    const withChain = join(certDir('no-subject', ['no-subject', 'ca']), 'fullchain.pem');
    assert.equal(sh.call('issued_by_chain', [withChain]).status, 0);
    assert.notEqual(sh.call('issued_by_chain', [cert('no-subject')]).status, 0, 'no chain');
    const wrongChain = join(certDir('no-subject', ['no-subject', 'many-names']), 'fullchain.pem');
    assert.notEqual(sh.call('issued_by_chain', [wrongChain]).status, 0, 'another certificate as the chain');
  });

  test(`${label}: unusable accepts an issued certificate without any subject, names the problem of the others`, () => {
    const noSubject = certDir('no-subject', ['no-subject', 'ca']);
    assert.deepEqual(sh.call('unusable', [join(noSubject, 'fullchain.pem'), 'short.example.test'], { CERT_DIR: noSubject }), {
      status: 1,
      stdout: '',
      stderr: '',
    });
    const noCn = certDir('no-cn', ['no-cn', 'ca']);
    assert.equal(sh.call('unusable', [join(noCn, 'fullchain.pem'), 'tls.example.test'], { CERT_DIR: noCn }).status, 1);
    const noSan = certDir('no-san', ['no-san', 'ca']);
    assert.deepEqual(sh.call('unusable', [join(noSan, 'fullchain.pem'), 'legacy.example.test'], { CERT_DIR: noSan }), {
      status: 0,
      stdout: 'it is for instead of legacy.example.test\n',
      stderr: '',
    });
    const placeholder = certDir('many-names', ['placeholder']);
    assert.equal(
      sh.call('unusable', [join(placeholder, 'fullchain.pem'), 'www.example.test'], { CERT_DIR: placeholder }).stdout,
      'it is self-signed (the placeholder before the first issuance)\n',
    );
  });
}

const sh = loadShellFunctions(script);
const day = 86400;
const window = (lifetime: number, days: string) => {
  const result = sh.call('renew_window', ['1700000000', String(1700000000 + lifetime)], { RENEW_BEFORE_DAYS: days, CERT_NAME: 'www.example.test' });
  assert.equal(result.status, 0);
  return { window: Number(result.stdout), warning: result.stderr.trim() };
};

test('renew_window: a third of the lifetime when acme_renew_before is unset', () => {
  assert.deepEqual(window(90 * day, ''), { window: 30 * day, warning: '' });
  assert.deepEqual(window(160 * 3600, ''), { window: (160 * 3600) / 3, warning: '' });
});

test('renew_window: acme_renew_before when it is less than half the lifetime', () => {
  assert.deepEqual(window(90 * day, '30'), { window: 30 * day, warning: '' });
  assert.deepEqual(window(90 * day, '44'), { window: 44 * day, warning: '' });
  assert.deepEqual(window(160 * 3600, '3'), { window: 3 * day, warning: '' }, '3 days of 160 hours is less than half');
});

test('renew_window: acme_renew_before of half the lifetime or more falls back to a third, with a warning naming both', () => {
  const tlsserver = window(45 * day, '30');
  assert.equal(tlsserver.window, 15 * day);
  assert.match(
    tlsserver.warning,
    /www\.example\.test: acme_renew_before \(30 days\) is half or more of the certificate's lifetime \(45 days\): renewing when a third of it remains instead \(15 days\)/,
  );
  assert.equal(window(90 * day, '45').window, 30 * day, 'exactly half');
  const shortlived = window(160 * 3600, '4');
  assert.equal(shortlived.window, Math.floor((160 * 3600) / 3));
  assert.match(
    shortlived.warning,
    /acme_renew_before \(4 days\) is half or more of the certificate's lifetime \(160 hours\): renewing when a third of it remains instead \(53 hours\)/,
  );
});

test('the renewal script never asks openssl x509 -checkend (OpenSSL 3.6 exits 0 whatever the answer)', () => {
  const code = readFileSync(join(fixturesDir, '../../..', script), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line));
  assert.deepEqual(
    code.filter((line) => line.includes('checkend')),
    [],
  );
  assert.deepEqual(
    code.filter((line) => /openssl [a-z0-9]+ .*-text\b/.test(line)),
    [],
    'no -text output is parsed',
  );
});
