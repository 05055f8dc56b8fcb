// The placeholder_certificate resource through the real probe and apply scripts on a temp tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredState, Resource } from '../../src/model/desired.js';
import { applyOn, planOn } from '../helpers/host-cycle.js';

const dir: Resource = { kind: 'directory', id: 'directory:/certs/a', role: 'r', notify: [], path: '/certs/a', mode: '0750' };
const key: Resource = {
  kind: 'private_key',
  id: 'private_key:/certs/a/domain.key',
  role: 'r',
  notify: [],
  path: '/certs/a/domain.key',
  keyType: 'ec256',
  mode: '0400',
};
const placeholder: Resource = {
  kind: 'placeholder_certificate',
  id: 'placeholder_certificate:/certs/a/fullchain.pem',
  role: 'r',
  notify: [],
  path: '/certs/a/fullchain.pem',
  dir: '/certs/a',
  key: '/certs/a/domain.key',
  domains: ['a.example.test', 'www.a.example.test'],
  mode: '0644',
};
const state = (...resources: Resource[]): DesiredState => ({ host: 'h', resources, handlers: [] });

const openssl = (...args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });

test('a missing certificate is planned as a self-signed placeholder and made from the key generated in the same apply', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-placeholder-'));
  const plan = await planOn(root, state(dir, key, placeholder));
  const change = plan.changes.find((c) => c.resource.kind === 'placeholder_certificate')!;
  assert.equal(change.action, 'create');
  assert.deepEqual(change.reasons, ['self-signed until the first issuance']);
  assert.deepEqual(
    plan.notices.filter((n) => n.includes('placeholder')),
    [`no CA is contacted under a --root tree: a self-signed placeholder stands in for /certs/a`],
  );

  const { run, report } = await applyOn(root, state(dir, key, placeholder));
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.ok(report.ok.has('r2'));
  const certs = join(root, 'certs/a');
  const fullchain = join(certs, 'fullchain.pem');
  assert.equal(openssl('x509', '-in', fullchain, '-noout', '-subject', '-nameopt', 'RFC2253').trim(), 'subject=CN=a.example.test');
  assert.equal(openssl('x509', '-in', fullchain, '-noout', '-issuer', '-nameopt', 'RFC2253').trim(), 'issuer=CN=a.example.test');
  assert.match(openssl('x509', '-in', fullchain, '-noout', '-ext', 'subjectAltName'), /DNS:a\.example\.test, DNS:www\.a\.example\.test/);
  assert.match(openssl('x509', '-in', fullchain, '-noout', '-ext', 'basicConstraints'), /CA:FALSE/);
  // It is the key's certificate, and valid for 30 days.
  assert.equal(openssl('x509', '-in', fullchain, '-noout', '-pubkey'), openssl('pkey', '-in', join(certs, 'domain.key'), '-pubout'));
  const end = new Date(openssl('x509', '-in', fullchain, '-noout', '-enddate').trim().replace('notAfter=', ''));
  assert.ok(Math.abs(end.getTime() - Date.now() - 30 * 86_400_000) < 3_600_000, `expires ${end.toISOString()}`);
  assert.equal(readFileSync(join(certs, 'signed.crt'), 'utf8'), readFileSync(fullchain, 'utf8'));
  assert.equal(readFileSync(join(certs, 'chain.pem'), 'utf8'), '', 'a self-signed certificate has no chain');
  for (const name of ['fullchain.pem', 'signed.crt', 'chain.pem']) assert.equal((statSync(join(certs, name)).mode & 0o777).toString(8), '644');
  // Nothing of the key in anything printed.
  const keyBody = readFileSync(join(certs, 'domain.key'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'));
  for (const line of keyBody) assert.ok(!`${run.stdout}${run.stderr}`.includes(line), 'key material printed');
  assert.doesNotMatch(`${run.stdout}${run.stderr}`, /PRIVATE KEY/);

  const again = await planOn(root, state(dir, key, placeholder));
  assert.deepEqual(
    again.changes.map((c) => c.action),
    ['unchanged', 'unchanged', 'unchanged'],
    'idempotent',
  );
});

test('an existing certificate, issued or placeholder, is never replaced; a removed one is made again', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-placeholder-'));
  const certs = join(root, 'certs/a');
  mkdirSync(certs, { recursive: true });
  // An "issued" certificate: signed by a CA of its own, so not self-signed.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    join(root, 'ca.key'),
    '-out',
    join(root, 'ca.pem'),
    '-days',
    '2',
  );
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=a.example.test',
    '-keyout',
    join(certs, 'domain.key'),
    '-out',
    join(root, 'a.csr'),
  );
  openssl(
    'x509',
    '-req',
    '-in',
    join(root, 'a.csr'),
    '-CA',
    join(root, 'ca.pem'),
    '-CAkey',
    join(root, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    join(certs, 'fullchain.pem'),
  );
  const issued = readFileSync(join(certs, 'fullchain.pem'), 'utf8');

  const plan = await planOn(root, state(placeholder));
  assert.equal(plan.changes[0]!.action, 'unchanged');
  const { run } = await applyOn(root, state(placeholder));
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.equal(readFileSync(join(certs, 'fullchain.pem'), 'utf8'), issued);

  // Even when the plan is stale (the certificate appeared after the probe), the apply leaves it alone.
  execFileSync('rm', [join(certs, 'fullchain.pem')]);
  const stale = await planOn(root, state(placeholder));
  assert.equal(stale.changes[0]!.action, 'create');
  writeFileSync(join(certs, 'fullchain.pem'), issued);
  const { applyScript } = await import('../../src/apply/apply-script.js');
  const { LocalConnection } = await import('../../src/host/local.js');
  const late = await new LocalConnection().run(applyScript(stale, state(placeholder), { backup: false, targetChecks: [] }));
  assert.equal(late.exitCode, 0, late.stdout + late.stderr);
  assert.equal(readFileSync(join(certs, 'fullchain.pem'), 'utf8'), issued);

  execFileSync('rm', [join(certs, 'fullchain.pem')]);
  assert.equal((await applyOn(root, state(placeholder))).run.exitCode, 0);
  const placeholderText = readFileSync(join(certs, 'fullchain.pem'), 'utf8');
  assert.notEqual(placeholderText, issued);
  assert.equal((await planOn(root, state(placeholder))).changes[0]!.action, 'unchanged', 'a placeholder is not replaced by another');
  assert.equal((await applyOn(root, state(placeholder))).run.exitCode, 0);
  assert.equal(readFileSync(join(certs, 'fullchain.pem'), 'utf8'), placeholderText);
});

test('without its key the placeholder fails with a message, writing nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-placeholder-'));
  mkdirSync(join(root, 'certs/a'), { recursive: true });
  const { run, report } = await applyOn(root, state(placeholder));
  assert.notEqual(run.exitCode, 0);
  assert.equal(report.failed.get('r0'), 'the key /certs/a/domain.key does not exist'.replace('/certs', `${root}/certs`));
  assert.deepEqual(execFileSync('ls', ['-A', join(root, 'certs/a')], { encoding: 'utf8' }), '');
});

test('a directory in the way of the certificate is an error of the plan', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-placeholder-'));
  mkdirSync(join(root, 'certs/a/fullchain.pem'), { recursive: true });
  const plan = await planOn(root, state(placeholder));
  assert.deepEqual(plan.errors, ['/certs/a/fullchain.pem: a non-file is in the way of the placeholder certificate to manage']);
});

test('a new key replaces its certificate files with a placeholder of the new key in the same apply; a key changed behind provision too', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-placeholder-'));
  const certs = join(root, 'certs/a');
  const desired = state(dir, key, placeholder);
  assert.equal((await applyOn(root, desired)).run.exitCode, 0);
  // The first issuance, as the renewal script installs it: leaf, chain, fullchain of the key.
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=Test CA',
    '-keyout',
    join(root, 'ca.key'),
    '-out',
    join(root, 'ca.pem'),
    '-days',
    '2',
  );
  openssl('req', '-new', '-key', join(certs, 'domain.key'), '-subj', '/CN=a.example.test', '-out', join(root, 'a.csr'));
  openssl(
    'x509',
    '-req',
    '-in',
    join(root, 'a.csr'),
    '-CA',
    join(root, 'ca.pem'),
    '-CAkey',
    join(root, 'ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-out',
    join(certs, 'signed.crt'),
  );
  writeFileSync(join(certs, 'chain.pem'), readFileSync(join(root, 'ca.pem')));
  writeFileSync(join(certs, 'fullchain.pem'), readFileSync(join(certs, 'signed.crt'), 'utf8') + readFileSync(join(root, 'ca.pem'), 'utf8'));
  assert.deepEqual(
    (await planOn(root, desired)).changes.map((c) => c.action),
    ['unchanged', 'unchanged', 'unchanged'],
    'an issued certificate of the key is left alone',
  );

  const pubkeyOf = (name: string) =>
    openssl(name.endsWith('.key') ? 'pkey' : 'x509', '-in', join(certs, name), ...(name.endsWith('.key') ? ['-pubout'] : ['-noout', '-pubkey']));
  const assertPlaceholderOfKey = () => {
    for (const name of ['fullchain.pem', 'signed.crt']) {
      assert.equal(pubkeyOf(name), pubkeyOf('domain.key'), `${name} holds the new key`);
      assert.equal(
        openssl('x509', '-in', join(certs, name), '-noout', '-issuer', '-nameopt', 'RFC2253').trim(),
        'issuer=CN=a.example.test',
        `${name} is the self-signed placeholder`,
      );
    }
    assert.equal(readFileSync(join(certs, 'chain.pem'), 'utf8'), '', 'the old chain is gone');
  };

  // The README's way to change the key type: delete the key, apply.
  execFileSync('rm', [join(certs, 'domain.key')]);
  const plan = await planOn(root, desired);
  assert.deepEqual(
    plan.changes.map((c) => c.action),
    ['unchanged', 'create', 'update'],
  );
  assert.deepEqual(plan.changes[2]!.reasons, ['the key is new: replaced by a self-signed placeholder until the next issuance']);
  const { run, report } = await applyOn(root, desired);
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.ok(report.ok.has('r2'));
  assertPlaceholderOfKey();
  assert.deepEqual(
    (await planOn(root, desired)).changes.map((c) => c.action),
    ['unchanged', 'unchanged', 'unchanged'],
    'converged',
  );

  // Another key put in place by hand: the certificate is found not to match and replaced.
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', join(certs, 'domain.key'));
  execFileSync('chmod', ['0400', join(certs, 'domain.key')]);
  const swapped = await planOn(root, desired);
  assert.deepEqual(
    swapped.changes.map((c) => c.action),
    ['unchanged', 'unchanged', 'update'],
  );
  assert.deepEqual(swapped.changes[2]!.reasons, ['it does not match the key: replaced by a self-signed placeholder until the next issuance']);
  assert.equal((await applyOn(root, desired)).run.exitCode, 0);
  assertPlaceholderOfKey();
});
