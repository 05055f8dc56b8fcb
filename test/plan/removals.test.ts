// The record of what provision manages, planned (src/plan/removals.ts): what is removed, what is
// only forgotten, and the record the apply writes before and after its changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ActualState, Observed, WasState } from '../../src/model/actual.js';
import type { DesiredState, FileResource, Handler, Resource } from '../../src/model/desired.js';
import { formatRecord, parseRecordHandler, parseRecordPath } from '../../src/model/managed-record.js';
import type { RecordEntry } from '../../src/model/managed-record.js';
import { planRecord } from '../../src/plan/removals.js';
import { planHost } from '../../src/plan/plan-host.js';

const reload: Handler = { name: 'reload web', steps: [{ kind: 'reload', unit: 'web' }], role: 'web' };
const site = (name: string): FileResource => ({
  kind: 'file',
  id: `file:/etc/web/${name}.conf`,
  role: 'web',
  notify: ['reload web'],
  certificate: name,
  path: `/etc/web/${name}.conf`,
  content: `site ${name}\n`,
  secret: false,
});
const desired = (resources: Resource[], handlers: Handler[] = [reload]): DesiredState => ({ host: 'web1', resources, handlers });

function actual(record: RecordEntry[] | undefined, was: Record<string, WasState> = {}, observed: Record<string, Observed> = {}): ActualState {
  return {
    isRoot: true,
    users: new Set(),
    groups: new Set(),
    resources: new Map(Object.entries(observed)),
    pendingHandlers: [],
    ...(record
      ? {
          record: {
            lines: formatRecord({ entries: record, handlers: [{ name: reload.name, steps: reload.steps }] })
              .trimEnd()
              .split('\n'),
            was: new Map(Object.entries(was)),
          },
        }
      : {}),
  };
}

const entry = (path: string, extra: Partial<RecordEntry> = {}): RecordEntry => ({
  kind: 'file',
  path,
  role: 'web',
  created: true,
  secret: false,
  notify: ['reload web'],
  ...extra,
});

test('a path first managed now is recorded as created when nothing was there, as taken over when something was', () => {
  const a = site('a');
  const b = site('b');
  const plan = planRecord(
    desired([a, b]),
    actual(undefined, {}, { [a.id]: { state: 'missing' }, [b.id]: { state: 'file', sha256: 'x', mode: '0644', owner: 'root', group: 'root' } }),
    {
      secretValues: [],
    },
  );
  const lines = plan.record!.after.split('\n');
  assert.deepEqual(parseRecordPath(lines[1]!), {
    kind: 'file',
    path: '/etc/web/a.conf',
    role: 'web',
    certificate: 'a',
    created: true,
    secret: false,
    notify: ['reload web'],
  });
  assert.equal(parseRecordPath(lines[2]!)!.created, false, 'b existed: taken over');
  assert.deepEqual(parseRecordHandler(lines[3]!), { name: 'reload web', steps: reload.steps });
  assert.equal(plan.record!.before, plan.record!.after, 'nothing to remove: one record');
  assert.equal(plan.record!.current, '');
});

test('a dropped path provision created is removed, with its diff and its handler; the record keeps it until it is gone', () => {
  const a = site('a');
  const plan = planRecord(
    desired([a]),
    actual([entry(a.path), entry('/etc/web/b.conf', { certificate: 'b' })], { '/etc/web/b.conf': { state: 'file', sha256: 'x', content: 'site b\n' } }),
    {
      secretValues: [],
    },
  );
  assert.equal(plan.removals.length, 1);
  assert.equal(plan.removals[0]!.entry.path, '/etc/web/b.conf');
  assert.match(plan.removals[0]!.diff!, /^-site b$/m);
  assert.deepEqual(plan.removals[0]!.reasons, ['no longer managed (certificate b): kept in /var/lib/provision/archive']);
  assert.deepEqual(
    plan.handlers.map((h) => h.name),
    ['reload web'],
  );
  assert.ok(plan.record!.before.includes(' /etc/web/b.conf\n'), 'before: still recorded');
  assert.ok(!plan.record!.after.includes('/etc/web/b.conf'), 'after: gone');
});

test('never removed: a path that was there before provision managed it, one that is something else now; a missing one is only forgotten', () => {
  const plan = planRecord(
    desired([]),
    actual([entry('/etc/web/old.conf', { created: false }), entry('/etc/web/now-a-dir'), entry('/etc/web/gone.conf')], {
      '/etc/web/old.conf': { state: 'file', sha256: 'x', content: 'theirs\n' },
      '/etc/web/now-a-dir': { state: 'directory', empty: false },
      '/etc/web/gone.conf': { state: 'missing' },
    }),
    { secretValues: [] },
  );
  assert.deepEqual(plan.removals, []);
  assert.deepEqual(plan.notices, [
    'left in place, no longer managed: /etc/web/old.conf (it was there before provision managed it)',
    'left in place, no longer managed: /etc/web/now-a-dir (not the file provision made)',
  ]);
  assert.equal(plan.record!.after, formatRecord({ entries: [], handlers: [] }));
});

test('a removed role: its handler comes from the record; links and files go before directories, the deepest first', () => {
  const plan = planRecord(
    desired([], []),
    actual(
      [
        entry('/etc/web', { kind: 'directory' }),
        entry('/etc/web/sites', { kind: 'directory' }),
        entry('/etc/web/sites/a.conf'),
        entry('/etc/web/enabled-a', { kind: 'symlink' }),
      ],
      {
        '/etc/web': { state: 'directory', empty: false },
        '/etc/web/sites': { state: 'directory', empty: false },
        '/etc/web/sites/a.conf': { state: 'file', sha256: 'x', content: 'a\n' },
        '/etc/web/enabled-a': { state: 'symlink', target: 'sites/a.conf' },
      },
    ),
    { secretValues: [] },
  );
  assert.deepEqual(
    plan.removals.map((r) => r.entry.path),
    ['/etc/web/sites/a.conf', '/etc/web/enabled-a', '/etc/web/sites', '/etc/web'],
  );
  assert.deepEqual(plan.handlers, [{ name: 'reload web', steps: reload.steps, role: 'web' }]);
});

test('a secret file or one holding a secret value is removed without showing its content', () => {
  const plan = planRecord(
    desired([]),
    actual([entry('/etc/web/token.conf'), entry('/etc/web/key.pem', { kind: 'private_key', secret: true })], {
      '/etc/web/token.conf': { state: 'file', sha256: 'x', content: 'token = hunter2\n' },
      '/etc/web/key.pem': { state: 'file' },
    }),
    { secretValues: ['hunter2'] },
  );
  assert.deepEqual(
    plan.removals.map((r) => r.diff),
    ['(content hidden)', '(private key archived, never shown)'],
  );
});

test('nothing is recorded or removed under a --root tree or without root; an unsafe record fails the host', () => {
  const record = actual([entry('/etc/web/b.conf')], { '/etc/web/b.conf': { state: 'file', sha256: 'x', content: 'b\n' } });
  assert.deepEqual(planRecord(desired([]), record, { root: '/tmp/tree', secretValues: [] }), {
    removals: [],
    handlers: [],
    notices: [],
    errors: [],
    awaited: [],
  });
  assert.deepEqual(planRecord(desired([]), { ...record, isRoot: false }, { secretValues: [] }).removals, []);
  const unsafe = planHost(desired([]), { ...record, record: { lines: [], was: new Map(), unsafe: true } }, { secretValues: [] });
  assert.match(unsafe.errors.join('\n'), /^\/var\/lib\/provision\/managed\/web1 is not a regular file of root's/);
});

test('check mode plans the same removals (the apply, not the plan, removes)', () => {
  const record = actual([entry('/etc/web/b.conf')], { '/etc/web/b.conf': { state: 'file', sha256: 'x', content: 'b\n' } });
  const plan = planHost(desired([]), record, { check: true, secretValues: [] });
  assert.deepEqual(
    plan.removals.map((r) => r.entry.path),
    ['/etc/web/b.conf'],
  );
  assert.deepEqual(
    plan.handlers.map((h) => h.name),
    ['reload web'],
  );
});

test("a removal runs the handlers of its role's notify_removed instead of notify, and the record keeps them apart", () => {
  const timer = entry('/etc/systemd/system/x.timer', { notify: ['enable timer'], notifyRemoved: ['disable timer'] });
  const line = formatRecord({ entries: [timer], handlers: [] }).split('\n')[1]!;
  assert.deepEqual(parseRecordPath(line), timer);
  const disable: Handler = { name: 'disable timer', steps: [{ kind: 'command', command: 'systemctl stop x.timer' }], role: 'web' };
  const enable: Handler = { name: 'enable timer', steps: [{ kind: 'command', command: 'systemctl enable x.timer' }], role: 'web' };
  const plan = planRecord(desired([], [enable, disable]), actual([timer], { [timer.path]: { state: 'file', sha256: 'x', content: '[Timer]\n' } }), {
    secretValues: [],
  });
  assert.deepEqual(plan.handlers, [disable]);
});

test('a handler still owed whose role is gone runs from the record, which keeps it until it has run', () => {
  const owed = { ...actual([], {}), pendingHandlers: ['reload web'] };
  const plan = planRecord(desired([], []), owed, { secretValues: [] });
  assert.deepEqual(plan.handlers, [{ name: 'reload web', steps: reload.steps, role: '' }]);
  assert.match(plan.record!.after, /^handler reload%20web /m);
  const settled = planRecord(desired([], []), actual([], {}), { secretValues: [] });
  assert.deepEqual(settled.handlers, []);
  assert.doesNotMatch(settled.record!.after, /^handler /m, 'not owed any more: forgotten');
});
