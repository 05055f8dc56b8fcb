// A certificate replaced by another in the same apply (src/plan/renames.ts), planned: the old one's
// removals wait for the new one's issuance, and so do the new one's own sites; unrelated removals and
// certificates the CA already issued wait for nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActualState, Observed, WasState } from '../../src/model/actual.js';
import type { CsrResource, DesiredState, FileResource, Handler, PlaceholderCertificateResource, Resource, SymlinkResource } from '../../src/model/desired.js';
import { formatRecord } from '../../src/model/managed-record.js';
import type { RecordEntry } from '../../src/model/managed-record.js';
import { planHost } from '../../src/plan/plan-host.js';
import { applyScript } from '../../src/apply/apply-script.js';
import { assertShellcheckClean } from '../helpers/shellcheck.js';

const issue: Handler = { name: 'issue certificate', steps: [{ kind: 'command', command: '/usr/local/sbin/letsencrypt-renew --once' }], role: 'letsencrypt' };
const reload: Handler = { name: 'reload web', steps: [{ kind: 'reload', unit: 'web' }], role: 'web' };
const dir = (name: string) => `/etc/ssl/le/${name}`;

/** The resources of certificate `name` for `domains`: CSR, placeholder, site and its enabled link. */
function certificate(name: string, domains: string[]): Resource[] {
  const csr: CsrResource = {
    kind: 'csr',
    id: `csr:${dir(name)}/domain.csr`,
    role: 'letsencrypt',
    notify: [issue.name],
    certificate: name,
    path: `${dir(name)}/domain.csr`,
    key: `${dir(name)}/domain.key`,
    domains,
  };
  const placeholder: PlaceholderCertificateResource = {
    kind: 'placeholder_certificate',
    id: `placeholder_certificate:${dir(name)}/fullchain.pem`,
    role: 'letsencrypt',
    notify: [issue.name],
    certificate: name,
    path: `${dir(name)}/fullchain.pem`,
    dir: dir(name),
    key: `${dir(name)}/domain.key`,
    domains,
  };
  const site: FileResource = {
    kind: 'file',
    id: `file:/etc/web/sites/${name}.conf`,
    role: 'web',
    notify: [reload.name],
    certificate: name,
    path: `/etc/web/sites/${name}.conf`,
    content: `site ${domains.join(' ')}\n`,
    secret: false,
  };
  const enabled: SymlinkResource = {
    kind: 'symlink',
    id: `symlink:/etc/web/enabled/${name}.conf`,
    role: 'web',
    notify: [reload.name],
    certificate: name,
    path: `/etc/web/enabled/${name}.conf`,
    target: `../sites/${name}.conf`,
  };
  return [csr, placeholder, site, enabled];
}

/** The record entries of certificate `name` as an earlier apply made them, and what is there now. */
function recorded(name: string, domains: string[]): { entries: RecordEntry[]; was: Record<string, WasState> } {
  const e = (kind: RecordEntry['kind'], path: string, role: string, notify: string[]): RecordEntry => ({
    kind,
    path,
    role,
    certificate: name,
    created: true,
    secret: false,
    notify,
  });
  return {
    entries: [
      e('csr', `${dir(name)}/domain.csr`, 'letsencrypt', [issue.name]),
      e('certificate', `${dir(name)}/fullchain.pem`, 'letsencrypt', [issue.name]),
      e('file', `/etc/web/sites/${name}.conf`, 'web', [reload.name]),
      e('symlink', `/etc/web/enabled/${name}.conf`, 'web', [reload.name]),
    ],
    was: {
      [`${dir(name)}/domain.csr`]: { state: 'file', names: domains },
      [`${dir(name)}/fullchain.pem`]: { state: 'file' },
      [`/etc/web/sites/${name}.conf`]: { state: 'file', sha256: 'x', content: `site ${domains.join(' ')}\n` },
      [`/etc/web/enabled/${name}.conf`]: { state: 'symlink', target: `../sites/${name}.conf` },
    },
  };
}

function actual(records: ReturnType<typeof recorded>[], observed: Record<string, Observed> = {}): ActualState {
  return {
    isRoot: true,
    users: new Set(),
    groups: new Set(),
    resources: new Map(Object.entries(observed)),
    pendingHandlers: [],
    record: {
      lines: formatRecord({ entries: records.flatMap((r) => r.entries), handlers: [] })
        .trimEnd()
        .split('\n'),
      was: new Map(records.flatMap((r) => Object.entries(r.was))),
    },
  };
}

const desired = (resources: Resource[]): DesiredState => ({ host: 'web1', resources, handlers: [issue, reload] });
const plan = (d: DesiredState, a: ActualState) => planHost(d, a, { secretValues: [] });

test('a rename (same names, new name): the old removals and the new sites wait for the new certificate; the issuance runs first', () => {
  const renamed = desired(certificate('new', ['a.test']));
  const p = plan(renamed, actual([recorded('old', ['a.test'])]));
  assert.deepEqual(p.removals.map((r) => `${r.entry.path} ${r.awaits?.join(',')}`).sort(), [
    '/etc/ssl/le/old/domain.csr new',
    '/etc/ssl/le/old/fullchain.pem new',
    '/etc/web/enabled/old.conf new',
    '/etc/web/sites/old.conf new',
  ]);
  assert.match(p.removals[0]!.reasons.join(', '), /waits for certificate new, which takes over its names/);
  assert.deepEqual(
    p.changes.filter((c) => c.afterIssuance !== undefined).map((c) => c.resource.id),
    ['file:/etc/web/sites/new.conf', 'symlink:/etc/web/enabled/new.conf'],
    'the new site and its link wait too; its CSR and placeholder do not',
  );
  assert.deepEqual(p.awaited, [
    { certificate: 'new', dir: '/etc/ssl/le/new', key: '/etc/ssl/le/new/domain.key', domains: ['a.test'], handlers: [issue.name], replaces: ['old'] },
  ]);
  assert.ok(p.record!.postponed!.includes('/etc/web/enabled/old.conf'), 'the record written before the issuance keeps the old paths');
  assert.ok(!p.record!.after.includes('/etc/web/enabled/old.conf'));

  const script = applyScript(p, renamed, { backup: false, targetChecks: [] });
  const at = (text: string) => {
    const index = script.indexOf(text);
    assert.ok(index >= 0, `${text} in the script`);
    return index;
  };
  assert.ok(at("handler 'issue certificate'") < at('issued "$R"/etc/ssl/le/new "$R"/etc/ssl/le/new/domain.key a.test'));
  assert.ok(at('issued "$R"/etc/ssl/le/new') < at('link r3 "$R"/etc/web/enabled/new.conf'), 'the new site is enabled once its certificate is issued');
  assert.ok(at('link r3 "$R"/etc/web/enabled/new.conf') < at('remove_link x2 "$R"/etc/web/enabled/old.conf'));
  assert.ok(at('remove_link x2 "$R"/etc/web/enabled/old.conf') < at("handler 'reload web'"), 'the web server is reloaded last');
  assertShellcheckClean(script, 'the apply script');
  assert.match(script, /warn 'the removal of certificate old \(its sites, key, CSR and certificate\) is postponed until certificate new/);
});

test('names moved to a certificate that changes: its CSR is made again and the old one waits for it', () => {
  const [csr, placeholder, site, enabled] = certificate('b', ['b.test', 'a.test']);
  const observed: Record<string, Observed> = {
    [csr!.id]: { state: 'csr', subject: 'CN=b.test', san: ['DNS:b.test'], keyMatches: true, mode: '0644', owner: 'root', group: 'root' },
    [placeholder!.id]: { state: 'certificate', selfSigned: false, keyMatches: true },
    [site!.id]: { state: 'file', sha256: 'old', content: 'site b.test\n', mode: '0644', owner: 'root', group: 'root' },
    [enabled!.id]: { state: 'symlink', target: '../sites/b.conf' },
  };
  const p = plan(desired([csr!, placeholder!, site!, enabled!]), actual([recorded('a', ['a.test'])], observed));
  assert.ok(p.removals.every((r) => r.awaits?.[0] === 'b'));
  assert.deepEqual(
    p.changes.filter((c) => c.afterIssuance !== undefined).map((c) => c.resource.id),
    ['file:/etc/web/sites/b.conf'],
    'its changed site waits; its unchanged link has nothing to do',
  );
});

test('wait for nothing: a removed certificate whose names no other takes over, and one taken over by a certificate already issued', () => {
  const unrelated = plan(desired(certificate('new', ['b.test'])), actual([recorded('old', ['a.test'])]));
  assert.ok(unrelated.removals.length > 0 && unrelated.removals.every((r) => r.awaits === undefined));
  assert.equal(unrelated.awaited, undefined);
  assert.ok(unrelated.changes.every((c) => c.afterIssuance === undefined));
  assert.equal(unrelated.record!.postponed, undefined);

  const [csr, placeholder, site, enabled] = certificate('new', ['a.test']);
  const observed: Record<string, Observed> = {
    [csr!.id]: { state: 'csr', subject: 'CN=a.test', san: ['DNS:a.test'], keyMatches: true, mode: '0644', owner: 'root', group: 'root' },
    [placeholder!.id]: { state: 'certificate', selfSigned: false, keyMatches: true },
  };
  const issued = plan(desired([csr!, placeholder!, site!, enabled!]), actual([recorded('old', ['a.test'])], observed));
  assert.ok(
    issued.removals.every((r) => r.awaits === undefined),
    'the new certificate is issued already',
  );
});

test('a new certificate still the placeholder after a refused issuance: the old one waits again, and the issuance runs though nothing notifies it', () => {
  const [csr, placeholder, site, enabled] = certificate('new', ['a.test']);
  const observed: Record<string, Observed> = {
    [csr!.id]: { state: 'csr', subject: 'CN=a.test', san: ['DNS:a.test'], keyMatches: true, mode: '0644', owner: 'root', group: 'root' },
    [placeholder!.id]: { state: 'certificate', selfSigned: true, keyMatches: true },
  };
  const p = plan(desired([csr!, placeholder!, site!, enabled!]), actual([recorded('old', ['a.test'])], observed));
  assert.ok(p.removals.every((r) => r.awaits?.[0] === 'new'));
  assert.ok(
    p.handlers.some((h) => h.name === issue.name),
    JSON.stringify(p.handlers),
  );
});
