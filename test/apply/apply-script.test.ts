import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DesiredState, Resource } from '../../src/model/desired.js';
import { applyScript } from '../../src/apply/apply-script.js';
import { probeScript } from '../../src/probe/probe-script.js';
import { factsOf } from '../../src/probe/facts.js';
import { builtinRolesDir } from '../../src/model/paths.js';
import { loadRoles } from '../../src/load/load-roles.js';
import { applyOn, planOn } from '../helpers/host-cycle.js';

function state(...resources: Resource[]): DesiredState {
  return { host: 'h', resources, handlers: [] };
}

const dir: Resource = { kind: 'directory', id: 'directory:/etc/app', role: 'r', notify: [], path: '/etc/app', mode: '0750' };
const file = (content: string, extra: Partial<Resource> = {}): Resource =>
  ({
    kind: 'file',
    id: 'file:/etc/app/app conf',
    role: 'r',
    notify: [],
    path: '/etc/app/app conf',
    content,
    mode: '0640',
    secret: false,
    ...extra,
  }) as Resource;
const link: Resource = { kind: 'symlink', id: 'symlink:/etc/app/current', role: 'r', notify: [], path: '/etc/app/current', target: 'app conf' };
const key: Resource = {
  kind: 'private_key',
  id: 'private_key:/etc/app/domain.key',
  role: 'r',
  notify: [],
  path: '/etc/app/domain.key',
  keyType: 'ec256',
  mode: '0400',
};
const csr: Resource = {
  kind: 'csr',
  id: 'csr:/etc/app/domain.csr',
  role: 'r',
  notify: [],
  path: '/etc/app/domain.csr',
  key: '/etc/app/domain.key',
  domains: ['a.example.test', 'b.example.test'],
  organization: "O'Brien/Sons",
  country: 'SE',
};

function tree(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      out.push(p.slice(root.length));
      if (statSync(p, { throwIfNoEntry: false })?.isDirectory() && !readlinkSafe(p)) walk(p);
    }
  };
  walk(root);
  return out;
}
function readlinkSafe(p: string): string | undefined {
  try {
    return readlinkSync(p);
  } catch {
    return undefined;
  }
}

test('apply creates files, dirs, links, keys and CSRs atomically; a second run changes nothing', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-apply-'));
  const desired = state(dir, file('hello\n'), link, key, csr);
  const first = await applyOn(root, desired);
  assert.equal(first.run.exitCode, 0, first.run.stdout + first.run.stderr);
  assert.deepEqual(
    first.plan.changes.map((c) => c.action),
    ['create', 'create', 'create', 'create', 'create'],
  );
  assert.equal(readFileSync(join(root, 'etc/app/app conf'), 'utf8'), 'hello\n');
  assert.equal((statSync(join(root, 'etc/app/app conf')).mode & 0o777).toString(8), '640');
  assert.equal((statSync(join(root, 'etc/app')).mode & 0o777).toString(8), '750');
  assert.equal((statSync(join(root, 'etc/app/domain.key')).mode & 0o777).toString(8), '400');
  assert.equal(readlinkSync(join(root, 'etc/app/current')), 'app conf');
  const csrText = execFileSync('openssl', ['req', '-in', join(root, 'etc/app/domain.csr'), '-noout', '-text'], { encoding: 'utf8' });
  assert.match(csrText, /DNS:a\.example\.test, DNS:b\.example\.test/);
  assert.match(csrText, /O = O'Brien\/Sons/);
  assert.deepEqual(
    tree(root).filter((p) => p.includes('.provision-')),
    [],
    'no temp files left',
  );

  const second = await planOn(root, desired);
  assert.deepEqual(
    second.changes.map((c) => c.action),
    ['unchanged', 'unchanged', 'unchanged', 'unchanged', 'unchanged'],
  );
});

test('a failed validation leaves every old file in place and no temp file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-apply-'));
  const good = file('v1\n');
  const other: Resource = { kind: 'file', id: 'file:/etc/app/other', role: 'r', notify: [], path: '/etc/app/other', content: 'o1\n', secret: false };
  assert.equal((await applyOn(root, state(dir, good, other))).run.exitCode, 0);
  const broken = file('v2\n', { validate: 'grep -q never %s' } as Partial<Resource>);
  const otherV2: Resource = { ...other, content: 'o2\n' };
  const result = await applyOn(root, state(dir, otherV2, broken));
  assert.notEqual(result.run.exitCode, 0);
  assert.match([...result.report.failed.values()].join('\n'), /validation failed/);
  assert.equal(readFileSync(join(root, 'etc/app/app conf'), 'utf8'), 'v1\n');
  assert.equal(readFileSync(join(root, 'etc/app/other'), 'utf8'), 'o1\n', 'files that passed are not renamed either');
  assert.deepEqual(
    tree(root).filter((p) => p.includes('.provision-')),
    [],
  );
});

test('an existing key is never regenerated; --backup keeps the replaced file', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-apply-'));
  await applyOn(root, state(dir, key, file('one\n')));
  const keyBefore = readFileSync(join(root, 'etc/app/domain.key'));
  const result = await applyOn(root, state(dir, key, file('two\n')), true);
  assert.equal(result.run.exitCode, 0);
  assert.deepEqual(readFileSync(join(root, 'etc/app/domain.key')), keyBefore);
  const backups = readdirSync(join(root, 'etc/app')).filter((n) => n.startsWith('app conf.') && n.endsWith('~'));
  assert.equal(backups.length, 1);
  assert.equal(readFileSync(join(root, 'etc/app', backups[0]!), 'utf8'), 'one\n');
});

test('a value with shell syntax in it is written literally, never executed', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-apply-'));
  const marker = join(root, 'pwned');
  const evil: Resource = {
    kind: 'file',
    id: 'file:/etc/x',
    role: 'r',
    notify: [],
    path: `/etc/$(touch ${marker})'; touch ${marker}`,
    content: `$(touch ${marker})\n`,
    secret: false,
  };
  const result = await applyOn(root, state(evil));
  assert.equal(result.run.exitCode, 0, result.run.stderr);
  assert.equal(existsSync(marker), false);
});

test('the generated probe (with facts) and apply scripts pass shellcheck', async () => {
  const root = mkdtempSync(join(tmpdir(), 'provision-apply-'));
  const placeholder: Resource = {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/etc/app/fullchain.pem',
    role: 'r',
    notify: [],
    path: '/etc/app/fullchain.pem',
    dir: '/etc/app',
    key: '/etc/app/domain.key',
    domains: ['a.example.test'],
  };
  const desired = state(
    dir,
    file('x\n', { validate: 'sh -n %s' } as Partial<Resource>),
    link,
    key,
    csr,
    placeholder,
    { kind: 'user', id: 'user:acme', role: 'r', notify: [], name: 'acme', system: true, home: '/var/lib/acme', shell: '/usr/sbin/nologin', groups: ['adm'] },
    { kind: 'group', id: 'group:acme', role: 'r', notify: [], name: 'acme', system: true },
  );
  desired.handlers.push({
    name: 'reload x',
    steps: [
      { kind: 'command', command: 'true' },
      { kind: 'reload', unit: 'x' },
    ],
    role: 'r',
  });
  const plan = await planOn(root, desired);
  plan.root = undefined; // as on a real host, so user and group steps are in the script too
  const facts = factsOf(loadRoles([builtinRolesDir]).roles.values());
  const withFacts = probeScript(desired, undefined, { facts });
  assert.match(withFacts, /^probe_fact apache /m);
  assert.doesNotMatch(probeScript(desired, root, { facts }), /^probe_fact /m, 'never under a --root tree');
  for (const script of [
    probeScript(desired, root),
    withFacts,
    applyScript({ ...plan, changes: plan.changes.map((c) => ({ ...c, action: 'create', rewrite: true })), handlers: desired.handlers }, desired, {
      backup: true,
      targetChecks: [],
    }),
  ]) {
    const file = join(root, 'script.sh');
    writeFileSync(file, script);
    execFileSync('shellcheck', ['-s', 'sh', file], { encoding: 'utf8' });
  }
});
