import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonReport } from '../../../src/cli/report/json.js';
import type { HostResult } from '../../../src/apply/host-result.js';
import type { Action, Change } from '../../../src/plan/types.js';
import type { Resource } from '../../../src/model/desired.js';

const conf: Resource = { kind: 'file', id: 'file:/etc/app.conf', role: 'r', notify: [], path: '/etc/app.conf', content: 'x', secret: false };
const dir: Resource = { kind: 'directory', id: 'directory:/srv', role: 'r', notify: [], path: '/srv' };
const user: Resource = { kind: 'user', id: 'user:acme', role: 'r', notify: [], name: 'acme', system: true, groups: [] };
const key: Resource = { kind: 'private_key', id: 'private_key:/k', role: 'r', notify: [], path: '/k', keyType: 'rsa2048' };

function change(resource: Resource, action: Action): Change {
  return { resource, action, reasons: [], rewrite: action === 'create' };
}

function result(name: string, status: HostResult['status'], changes: Change[], extra: Partial<HostResult> = {}): HostResult {
  return {
    name,
    status,
    plan: {
      host: name,
      changes,
      handlers: [{ name: 'reload', steps: [{ kind: 'command', command: 'true' }], role: 'r' }],
      notices: [],
      errors: [],
      removals: [],
    },
    failures: new Map(),
    handlersRun: [],
    applied: false,
    ...extra,
  };
}

const results: HostResult[] = [
  result('web1', 'changed', [change(conf, 'create'), change(dir, 'unchanged'), change(user, 'update'), change(key, 'skipped')], {
    roundTrips: 2,
    seconds: 0.41298,
  }),
  result('web2', 'ok', [change(conf, 'unchanged')], {
    plan: { host: 'web2', changes: [change(conf, 'unchanged')], handlers: [], notices: ['not running as root'], errors: [], removals: [] },
  }),
  result('db1', 'unreachable', [], { plan: undefined, error: 'ssh: connect refused' }),
  result('db2', 'changed', [change(dir, 'create')]),
];

test('the check-mode JSON report has exactly the documented shape', () => {
  const report = JSON.parse(JSON.stringify(applyJsonReport(results, true)));
  assert.deepEqual(Object.keys(report), ['check', 'hosts', 'summary']);
  assert.equal(report.check, true);
  for (const host of report.hosts) assert.deepEqual(Object.keys(host), ['name', 'status', 'changes', 'handlers', 'notices', 'error', 'roundTrips', 'seconds']);
  assert.deepEqual(Object.keys(report.summary), ['hosts', 'changed', 'failed', 'unreachable']);
  assert.deepEqual(report.hosts[0], {
    name: 'web1',
    status: 'changed',
    changes: [
      { resource: 'file', path: '/etc/app.conf', action: 'create' },
      { resource: 'user', path: 'acme', action: 'update' },
    ],
    handlers: [{ name: 'reload', ran: false }],
    notices: [],
    error: null,
    roundTrips: 2,
    seconds: 0.413,
  });
  assert.deepEqual(report.hosts[1].notices, ['not running as root']);
  assert.deepEqual(report.hosts[2], {
    name: 'db1',
    status: 'unreachable',
    changes: [],
    handlers: [],
    notices: [],
    error: 'ssh: connect refused',
    roundTrips: 0,
    seconds: null,
  });
});

test('summary.changed counts hosts with changes, not changes', () => {
  const report = applyJsonReport(results, true) as { summary: Record<string, number> };
  assert.deepEqual(report.summary, { hosts: 4, changed: 2, failed: 0, unreachable: 1 });
});

test('after an apply, handlers are those that ran, and a failed change carries its error', () => {
  const failedHost = result('web3', 'failed', [change(conf, 'create'), change(dir, 'create')], {
    applied: true,
    failures: new Map([['file:/etc/app.conf', 'validate failed: syntax error']]),
    handlersRun: [{ name: 'reload', ok: false, detail: 'exit 1' }],
    error: 'a resource failed',
  });
  const report = JSON.parse(JSON.stringify(applyJsonReport([failedHost], false)));
  assert.equal(report.check, false);
  assert.deepEqual(report.hosts[0].changes, [
    { resource: 'file', path: '/etc/app.conf', action: 'create', error: 'validate failed: syntax error' },
    { resource: 'directory', path: '/srv', action: 'create' },
  ]);
  assert.deepEqual(report.hosts[0].handlers, [{ name: 'reload', ran: true, ok: false, error: 'exit 1' }]);
  assert.deepEqual(report.summary, { hosts: 1, changed: 0, failed: 1, unreachable: 0 });
});

test('an empty run is a valid report', () => {
  assert.deepEqual(applyJsonReport([], true), { check: true, hosts: [], summary: { hosts: 0, changed: 0, failed: 0, unreachable: 0 } });
});
