// Key rotation in the plan (src/plan/rotation.ts): what the probe saw of a certificate's key (its
// type, a waiting KEY.next) decides whether the next key and CSR are planned; the real probe
// (shell/probe.sh probe_key, probe_next) on real keys made by openssl reports them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planHost } from '../../src/plan/plan-host.js';
import { checkRotateNames, RotateKeyError, withRotations } from '../../src/plan/rotation.js';
import { applyScript } from '../../src/apply/apply-script.js';
import { hasWork, isPending } from '../../src/plan/types.js';
import { LocalConnection } from '../../src/host/local.js';
import { parseProbe } from '../../src/host/protocol/parse-probe.js';
import { probeScript } from '../../src/probe/probe-script.js';
import type { ActualState, Observed } from '../../src/model/actual.js';
import type { CsrResource, DesiredState, PlaceholderCertificateResource, PrivateKeyResource } from '../../src/model/desired.js';

const dir = '/etc/ssl/le/a.test';
const key: PrivateKeyResource = {
  kind: 'private_key',
  id: `private_key:${dir}/domain.key`,
  role: 'letsencrypt',
  notify: ['issue certificate'],
  certificate: 'a.test',
  path: `${dir}/domain.key`,
  keyType: 'ec256',
  mode: '0400',
  owner: 'root',
  group: 'root',
};
const csr: CsrResource = {
  kind: 'csr',
  id: `csr:${dir}/domain.csr`,
  role: 'letsencrypt',
  notify: ['issue certificate'],
  certificate: 'a.test',
  path: `${dir}/domain.csr`,
  key: key.path,
  domains: ['a.test', 'www.a.test'],
  mode: '0440',
  owner: 'root',
  group: 'root',
};
const cert: PlaceholderCertificateResource = {
  kind: 'placeholder_certificate',
  id: `placeholder_certificate:${dir}/fullchain.pem`,
  role: 'letsencrypt',
  notify: ['issue certificate'],
  certificate: 'a.test',
  path: `${dir}/fullchain.pem`,
  dir,
  key: key.path,
  domains: csr.domains,
  mode: '0644',
  owner: 'root',
  group: 'root',
};
const desired: DesiredState = {
  host: 'h',
  resources: [key, csr, cert],
  handlers: [{ name: 'issue certificate', role: 'letsencrypt', steps: [{ kind: 'command', command: '/usr/local/sbin/letsencrypt-renew --once' }] }],
};
const attrs = { owner: 'root', group: 'root' };
const csrObserved: Observed = { state: 'csr', mode: '0440', ...attrs, keyMatches: true, san: ['DNS:a.test', 'DNS:www.a.test'], subject: 'CN=a.test' };
const issued: Observed = { state: 'certificate', selfSigned: false, keyMatches: true };

function actualWith(keyObserved: Observed): ActualState {
  return {
    isRoot: true,
    users: new Set(['root']),
    groups: new Set(['root']),
    pendingHandlers: [],
    resources: new Map<string, Observed>([
      [key.id, keyObserved],
      [csr.id, csrObserved],
      [cert.id, issued],
    ]),
  };
}

function plan(keyObserved: Observed, rotate: string[] = []) {
  const rotated = withRotations(desired, actualWith(keyObserved), new Set(rotate));
  return { ...rotated, plan: planHost(rotated.desired, rotated.actual, { secretValues: [] }) };
}
const pendingPaths = (p: ReturnType<typeof planHost>) => p.changes.filter(isPending).map((c) => ('path' in c.resource ? c.resource.path : ''));

test('a key of another type than key_type: the next key and CSR are created beside it, the installed ones untouched', () => {
  const { plan: p, desired: d } = plan({ state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa2048', next: { state: 'missing' } });
  assert.deepEqual(pendingPaths(p), [`${dir}/domain.key.next`, `${dir}/domain.csr.next`]);
  const nextKey = p.changes.find((c) => c.resource.id === `private_key:${dir}/domain.key.next`)!;
  assert.equal(nextKey.action, 'create');
  assert.equal(nextKey.mode, '0400');
  assert.equal(nextKey.diff, '(private key generated on the host, never shown)');
  assert.match(nextKey.reasons.join(), /key rotation: a new ec256 key beside \/etc\/ssl\/le\/a\.test\/domain\.key/);
  assert.deepEqual(
    p.handlers.map((h) => h.name),
    ['issue certificate'],
  );
  const script = applyScript(p, d, { backup: false, targetChecks: [] })!;
  assert.match(script, /gen_next_key r3 \S*domain\.key\.next/);
  assert.match(script, /make_csr r4 \S*domain\.csr\.next \S*domain\.key\.next/);
  assert.doesNotMatch(script, /gen_key r0|make_csr r1|placeholder_cert r2/);
});

test('a next key of the wanted type with its CSR: nothing more to do, and both stay in the desired state (the record)', () => {
  const { plan: p, desired: d } = plan({
    state: 'private_key',
    mode: '0400',
    ...attrs,
    keyType: 'rsa2048',
    next: {
      state: 'private_key',
      mode: '0400',
      ...attrs,
      keyType: 'ec256',
      csrMatches: true,
      csr: { mode: '0440', ...attrs },
      san: ['DNS:a.test', 'DNS:www.a.test'],
    },
  });
  assert.equal(hasWork(p), false, JSON.stringify(p.changes.filter(isPending)));
  assert.deepEqual(p.notices, [
    `key rotation of a.test: ${dir}/domain.key.next waits for its certificate; the renewal script swaps it in once the CA issued one (see its log)`,
  ]);
  assert.deepEqual(d.resources.map((r) => ('path' in r ? r.path : '')).slice(3), [`${dir}/domain.key.next`, `${dir}/domain.csr.next`]);
});

test('a waiting next key whose CSR is missing or of another key gets its CSR made again, the key kept', () => {
  for (const next of [
    { csrMatches: false, csr: { mode: '0440', ...attrs }, san: ['DNS:a.test', 'DNS:www.a.test'] },
    { csrMatches: false, san: [] },
  ]) {
    const { plan: p } = plan({
      state: 'private_key',
      mode: '0400',
      ...attrs,
      keyType: 'rsa2048',
      next: { state: 'private_key', mode: '0400', ...attrs, keyType: 'ec256', ...next },
    });
    assert.deepEqual(pendingPaths(p), [`${dir}/domain.csr.next`]);
  }
});

test('a next key of another type than wanted (key_type changed again) is made anew', () => {
  const { plan: p } = plan({
    state: 'private_key',
    mode: '0400',
    ...attrs,
    keyType: 'rsa2048',
    next: { state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa4096', csrMatches: true, csr: { mode: '0440', ...attrs }, san: ['DNS:a.test'] },
  });
  assert.deepEqual(pendingPaths(p), [`${dir}/domain.key.next`, `${dir}/domain.csr.next`]);
});

test('a key of the wanted type is left alone; --rotate-key makes a next key of the same type', () => {
  const same: Observed = { state: 'private_key', mode: '0400', ...attrs, keyType: 'ec256', next: { state: 'missing' } };
  const untouched = plan(same);
  assert.equal(untouched.desired, desired);
  assert.equal(hasWork(untouched.plan), false);
  const rotated = plan(same, ['a.test']);
  assert.deepEqual(pendingPaths(rotated.plan), [`${dir}/domain.key.next`, `${dir}/domain.csr.next`]);
  assert.equal(plan(same, ['other.test']).desired, desired, 'another certificate rotates, not this one');
});

test('a key whose type the probe could not read (no root), or beside which it did not look, is never rotated', () => {
  assert.equal(plan({ state: 'private_key', mode: '0400', ...attrs, keyType: 'unknown' }, ['a.test']).desired, desired);
  assert.equal(plan({ state: 'private_key', mode: '0400', ...attrs }).desired, desired);
  assert.equal(plan({ state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa2048' }).desired, desired, 'nor one the probe did not look beside');
});

test('--rotate-key with a name no host has is an error naming it', () => {
  assert.doesNotThrow(() => checkRotateNames(['a.test'], [desired]));
  assert.throws(
    () => checkRotateNames(['a.test', 'nope.test'], [desired]),
    (e: unknown) => e instanceof RotateKeyError && /nope\.test is not a certificate name.*a\.test/.test(e.message),
  );
});

const root = mkdtempSync(join(tmpdir(), 'provision-rotation-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the real probe reports the key type and what a rotation left beside the key', async () => {
  const here = join(root, dir);
  mkdirSync(here, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: here, stdio: 'pipe' });
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'domain.key');
  openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'domain.key.next');
  chmodSync(join(here, 'domain.key.next'), 0o400);
  openssl('req', '-new', '-key', 'domain.key', '-subj', '/CN=a.test', '-addext', 'subjectAltName=DNS:a.test,DNS:www.a.test', '-out', 'domain.csr');
  openssl('req', '-new', '-key', 'domain.key.next', '-subj', '/CN=a.test', '-addext', 'subjectAltName=DNS:a.test,DNS:www.a.test', '-out', 'domain.csr.next');
  const probe = async () => {
    const run = await new LocalConnection().run(probeScript(desired, root));
    assert.equal(run.exitCode, 0, run.stderr);
    return parseProbe(run.stdout, desired).resources.get(key.id);
  };
  const seen = await probe();
  assert.equal(seen?.state, 'private_key');
  if (seen?.state !== 'private_key') return;
  assert.equal(seen.keyType, 'rsa2048');
  assert.equal(seen.next?.state, 'private_key');
  if (seen.next?.state !== 'private_key') return;
  assert.equal(seen.next.keyType, 'ec256');
  assert.equal(seen.next.mode, '0400');
  assert.equal(seen.next.csrMatches, true);
  assert.deepEqual(seen.next.san, ['DNS:a.test', 'DNS:www.a.test']);

  openssl('req', '-new', '-key', 'domain.key', '-subj', '/CN=a.test', '-addext', 'subjectAltName=DNS:a.test', '-out', 'domain.csr.next');
  const otherCsr = await probe();
  assert.ok(otherCsr?.state === 'private_key' && otherCsr.next?.state === 'private_key' && !otherCsr.next.csrMatches, 'a CSR.next of another key');

  rmSync(join(here, 'domain.key.next'));
  symlinkSync(join(here, 'domain.key'), join(here, 'domain.key.next'));
  const link = await probe();
  assert.deepEqual(link?.state === 'private_key' ? link.next : undefined, { state: 'other' }, 'a link is not a next key');

  rmSync(join(here, 'domain.key.next'));
  const none = await probe();
  assert.deepEqual(none?.state === 'private_key' ? none.next : undefined, { state: 'missing' });
});

test('the next key and CSR are recorded before the apply makes them; once swapped in (gone), they are dropped, never removed', () => {
  const rotating = withRotations(
    desired,
    { ...actualWith({ state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa2048', next: { state: 'missing' } }), record: { lines: [], was: new Map() } },
    new Set(),
  );
  const first = planHost(rotating.desired, rotating.actual, { secretValues: [] });
  assert.match(first.record!.before, /domain\.key\.next/);
  assert.match(first.record!.before, /domain\.csr\.next/);
  const lines = first.record!.after.split('\n').filter(Boolean);
  const swapped = withRotations(
    desired,
    {
      ...actualWith({ state: 'private_key', mode: '0400', ...attrs, keyType: 'ec256', next: { state: 'missing' } }),
      record: {
        lines,
        was: new Map([
          [`${dir}/domain.key.next`, { state: 'missing' }],
          [`${dir}/domain.csr.next`, { state: 'missing' }],
        ]),
      },
    },
    new Set(),
  );
  const second = planHost(swapped.desired, swapped.actual, { secretValues: [] });
  assert.deepEqual(second.removals, []);
  assert.deepEqual(second.errors, []);
  assert.doesNotMatch(second.record!.after, /\.next/);
  assert.equal(hasWork(second), false);
});

test('a next key of a rotation no longer wanted (key_type changed back) is removed to the archive like any path no longer managed', () => {
  const rotating = withRotations(
    desired,
    { ...actualWith({ state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa2048', next: { state: 'missing' } }), record: { lines: [], was: new Map() } },
    new Set(),
  );
  const lines = planHost(rotating.desired, rotating.actual, { secretValues: [] }).record!.after.split('\n').filter(Boolean);
  const back = withRotations(
    desired,
    {
      ...actualWith({
        state: 'private_key',
        mode: '0400',
        ...attrs,
        keyType: 'ec256',
        next: { state: 'private_key', mode: '0400', ...attrs, keyType: 'rsa2048', csrMatches: true, csr: { mode: '0440', ...attrs }, san: ['DNS:a.test'] },
      }),
      record: {
        lines,
        was: new Map([
          [`${dir}/domain.key.next`, { state: 'file' }],
          [`${dir}/domain.csr.next`, { state: 'file' }],
        ]),
      },
    },
    new Set(),
  );
  assert.equal(back.desired, desired, 'no rotation is planned');
  const p = planHost(back.desired, back.actual, { secretValues: [] });
  assert.deepEqual(
    p.removals.map((r) => [r.entry.path, r.diff]),
    [
      [`${dir}/domain.key.next`, '(private key archived, never shown)'],
      [`${dir}/domain.csr.next`, '(CSR archived)'],
    ],
  );
});
