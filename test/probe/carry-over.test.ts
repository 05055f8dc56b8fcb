import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carryOver, mergeActual } from '../../src/probe/carry-over.js';
import { sha256 } from '../../src/model/digest.js';
import { planHost } from '../../src/plan/plan-host.js';
import type { ActualState } from '../../src/model/actual.js';
import type { DesiredState, FileResource, Resource } from '../../src/model/desired.js';

const file = (path: string, content: string, extra: Partial<FileResource> = {}): FileResource => ({
  kind: 'file',
  id: `file:${path}`,
  role: 'r',
  notify: [],
  path,
  content,
  mode: '0644',
  secret: false,
  ...extra,
});
const state = (...resources: Resource[]): DesiredState => ({ host: 'h', resources, handlers: [] });
const seen = (entries: [Resource, ActualState['resources'] extends Map<string, infer O> ? O : never][]): ActualState => ({
  isRoot: true,
  users: new Set(['root']),
  groups: new Set(['root']),
  resources: new Map(entries.map(([r, o]) => [r.id, o])),
  pendingHandlers: [],
});

test('a file the probe found as first rendered: its content is known, so the new diff is shown without another probe', () => {
  const before = file('/etc/dovecot/conf.d/99.conf', 'ssl_server_cert_file = /c\n');
  const after = file('/etc/dovecot/conf.d/99.conf', 'ssl_cert = </c\n');
  const observed = { state: 'file', mode: '0644', owner: 'root', group: 'root', sha256: sha256(before.content) } as const;
  const carried = carryOver(state(before), seen([[before, observed]]), state(after));
  assert.deepEqual(carried.unprobed, []);
  const plan = planHost(state(after), carried.actual, { secretValues: [] });
  assert.equal(plan.changes[0]!.action, 'update');
  assert.match(plan.changes[0]!.diff!, /^-ssl_server_cert_file = \/c$/m);
  assert.match(plan.changes[0]!.diff!, /^\+ssl_cert = <\/c$/m);
});

test('a file that already holds the re-rendered content is unchanged', () => {
  const before = file('/etc/a.conf', 'old\n');
  const after = file('/etc/a.conf', 'new\n');
  const observed = { state: 'file', mode: '0644', owner: 'root', group: 'root', sha256: sha256('new\n'), content: 'new\n' } as const;
  const carried = carryOver(state(before), seen([[before, observed]]), state(after));
  assert.equal(planHost(state(after), carried.actual, { secretValues: [] }).changes[0]!.action, 'unchanged');
});

test('a resource the first probe never looked at is left for a second probe, with accounts it did not look up', () => {
  const shared = file('/etc/a.conf', 'x\n');
  const added = file('/etc/only-with-2.3.conf', 'y\n', { owner: 'dovecot' });
  const secretNow = file('/etc/s.conf', 'z\n', { secret: true });
  const carried = carryOver(
    state(shared, file('/etc/s.conf', 'z\n')),
    seen([
      [shared, { state: 'missing' }],
      [secretNow, { state: 'missing' }],
    ]),
    state(shared, added, secretNow),
  );
  assert.deepEqual(
    carried.unprobed.map((r) => r.id),
    ['file:/etc/only-with-2.3.conf', 'file:/etc/s.conf'],
    'a file that became secret is probed again (its content must not come back)',
  );
  assert.deepEqual(carried.accounts, { users: ['dovecot'], groups: [] });
  assert.deepEqual([...carried.actual.resources.keys()], ['file:/etc/a.conf']);
  const merged = mergeActual(carried.actual, seen([[added, { state: 'missing' }]]));
  assert.deepEqual([...merged.resources.keys()].sort(), ['file:/etc/a.conf', 'file:/etc/only-with-2.3.conf']);
});
