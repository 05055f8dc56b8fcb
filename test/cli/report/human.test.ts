import { test } from 'node:test';
import assert from 'node:assert/strict';
import { colorsFor } from '../../../src/cli/report/colors.js';
import { hostLines, progressLine, recapLines } from '../../../src/cli/report/human.js';
import type { HostResult } from '../../../src/apply/host-result.js';
import type { Action, Change } from '../../../src/plan/types.js';
import type { Resource } from '../../../src/model/desired.js';

const plain = colorsFor({ isTTY: false } as NodeJS.WriteStream);
// eslint-disable-next-line no-control-regex -- an ANSI colour sequence starts with ESC
const ansi = /\u001b\[/;

const conf: Resource = { kind: 'file', id: 'file:/etc/app.conf', role: 'r', notify: [], path: '/etc/app.conf', content: 'x', secret: false };
const dir: Resource = { kind: 'directory', id: 'directory:/srv', role: 'r', notify: [], path: '/srv' };
const key: Resource = { kind: 'private_key', id: 'private_key:/k.key', role: 'r', notify: [], path: '/k.key', keyType: 'rsa2048' };
const user: Resource = { kind: 'user', id: 'user:acme', role: 'r', notify: [], name: 'acme', system: true, groups: [] };

function change(resource: Resource, action: Action, extra: Partial<Change> = {}): Change {
  return { resource, action, reasons: [], rewrite: false, ...extra };
}

function result(name: string, status: HostResult['status'], changes: Change[], extra: Partial<HostResult> = {}): HostResult {
  return {
    name,
    status,
    plan: { host: name, changes, handlers: [], notices: [], errors: [], removals: [] },
    failures: new Map(),
    handlersRun: [],
    applied: false,
    ...extra,
  };
}

const results = [
  result('web1', 'changed', [
    change(conf, 'create'),
    change(dir, 'unchanged'),
    change(user, 'skipped'),
    change(key, 'update', { reasons: ['mode 0644 -> 0400'] }),
  ]),
  result('db', 'ok', [change(conf, 'unchanged'), change(dir, 'unchanged')]),
  result('mail.example.org', 'failed', [change(conf, 'unchanged'), change(dir, 'create')], { error: 'cannot replace a directory' }),
  result('gone', 'unreachable', [], { plan: undefined, error: 'no route to host' }),
];

test('recap lines: name : ok=N changed=N failed=N unreachable=N, names padded to one width', () => {
  const lines = recapLines(results, { check: false }, plain);
  assert.deepEqual(lines, [
    '',
    'RECAP',
    'web1             : ok=3 changed=2 failed=0 unreachable=0',
    'db               : ok=2 changed=0 failed=0 unreachable=0',
    'mail.example.org : ok=2 changed=1 failed=1 unreachable=0',
    'gone             : ok=0 changed=0 failed=0 unreachable=1',
  ]);
});

test('the check-mode recap says nothing was written', () => {
  assert.equal(recapLines(results, { check: true }, plain)[1], 'RECAP (check mode: nothing was written)');
});

test('no ANSI colour codes for a non-TTY stream, colours for a TTY', () => {
  const saved = process.env.NO_COLOR;
  delete process.env.NO_COLOR;
  try {
    const colours = colorsFor({ isTTY: true } as NodeJS.WriteStream);
    const all = (c: typeof plain) =>
      [...recapLines(results, { check: false }, c), ...results.flatMap((r) => hostLines(r, { diff: true, check: false }, c))].join('\n');
    assert.doesNotMatch(all(colorsFor({ isTTY: false } as NodeJS.WriteStream)), ansi);
    assert.match(all(colours), ansi);
  } finally {
    if (saved !== undefined) process.env.NO_COLOR = saved;
  }
});

test('NO_COLOR turns colours off even on a TTY', () => {
  const saved = process.env.NO_COLOR;
  process.env.NO_COLOR = '1';
  try {
    assert.doesNotMatch(recapLines(results, { check: false }, colorsFor({ isTTY: true } as NodeJS.WriteStream)).join('\n'), ansi);
  } finally {
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
  }
});

test('host lines name each create/update with its kind, path and reasons', () => {
  assert.deepEqual(hostLines(results[0]!, { diff: false, check: true }, plain), [
    'web1: create file /etc/app.conf',
    'web1: update private key /k.key (mode 0644 -> 0400)',
  ]);
});

test('a failed change shows its reason, and the host error is not repeated', () => {
  const failed = result('mail', 'failed', [change(conf, 'create'), change(dir, 'create')], {
    failures: new Map([['file:/etc/app.conf', 'boom']]),
    error: 'file:/etc/app.conf: boom',
  });
  assert.deepEqual(hostLines(failed, { diff: false, check: false }, plain), ['mail: failed file /etc/app.conf', '  boom', 'mail: create directory /srv']);
});

test('a host-level failure is shown as FAILED with its error', () => {
  assert.deepEqual(hostLines(results[2]!, { diff: false, check: false }, plain), [
    'mail.example.org: create directory /srv',
    'mail.example.org: FAILED: cannot replace a directory',
  ]);
});

test('an unreachable host says so with the error', () => {
  assert.deepEqual(hostLines(results[3]!, { diff: false, check: false }, plain), ['gone: UNREACHABLE: no route to host']);
});

test('diffs are shown only with the diff option; handlers as would-run in check mode', () => {
  const withDiff = result('h', 'changed', [change(conf, 'update', { reasons: ['content'], diff: '--- before\n+++ after\n-a\n+b' })], {});
  withDiff.plan!.handlers = [{ name: 'reload app', steps: [{ kind: 'command', command: 'true' }], role: 'r' }];
  assert.deepEqual(hostLines(withDiff, { diff: false, check: true }, plain), ['h: update file /etc/app.conf (content)', 'h: would run handler reload app']);
  assert.deepEqual(hostLines(withDiff, { diff: true, check: false }, plain), ['h: update file /etc/app.conf (content)', '--- before\n+++ after\n-a\n+b']);
});

test('handlers that ran are listed, a failed one once, with its reason indented line by line', () => {
  const ran = result('h', 'failed', [], {
    handlersRun: [
      { name: 'reload', ok: true, detail: '' },
      { name: 'restart', ok: false, detail: 'Job failed\n  see the log\n' },
    ],
    error: 'handler restart failed: Job failed\n  see the log',
  });
  assert.deepEqual(hostLines(ran, { diff: false, check: false }, plain), [
    'h: ran handler reload',
    'h: failed handler restart',
    '  Job failed\n    see the log',
  ]);
});

test('notices are shown for a host with changes only', () => {
  const notices = ['not running as root: owners are not managed'];
  const changed = result('h', 'changed', [change(conf, 'create')]);
  changed.plan!.notices = notices;
  const ok = result('h', 'ok', [change(conf, 'unchanged')]);
  ok.plan!.notices = notices;
  assert.deepEqual(hostLines(changed, { diff: false, check: false }, plain), ['h: create file /etc/app.conf', `h: note: ${notices[0]}`]);
  assert.deepEqual(hostLines(ok, { diff: false, check: false }, plain), []);
});

test('a change that failed is not counted as changed; handlers run count in both ok and changed', () => {
  const failedOne = result('h', 'failed', [change(conf, 'create'), change(dir, 'create')], {
    applied: true,
    failures: new Map([[conf.id, 'validation failed']]),
    done: new Set([dir.id]),
  });
  assert.equal(recapLines([failedOne], { check: false }, plain)[2], 'h : ok=1 changed=1 failed=1 unreachable=0');
  const withHandler = result('h', 'changed', [change(conf, 'update')], {
    applied: true,
    handlersRun: [{ name: 'reload', ok: true, detail: '' }],
    done: new Set([conf.id]),
  });
  withHandler.plan!.handlers = [{ name: 'reload', steps: [{ kind: 'command', command: 'true' }], role: 'r' }];
  assert.equal(recapLines([withHandler], { check: false }, plain)[2], 'h : ok=2 changed=2 failed=0 unreachable=0');
});

test('an apply that aborted before renaming anything counts nothing as changed', () => {
  const aborted = result('h', 'failed', [change(conf, 'create'), change(dir, 'create')], {
    applied: true,
    failures: new Map([[conf.id, 'apache2ctl -t fails']]),
    done: new Set(),
  });
  assert.equal(recapLines([aborted], { check: false }, plain)[2], 'h : ok=0 changed=0 failed=1 unreachable=0');
});

test('progress line: status, counts and time of a host as it finishes', () => {
  const timed = (r: HostResult, seconds: number) => ({ ...r, seconds });
  assert.deepEqual(
    results.map((r, i) => progressLine(timed(r, 0.25 + i), plain)),
    [
      'web1: changed (2 changed, 1 unchanged) 0.3s',
      'db: ok (2 unchanged) 1.3s',
      'mail.example.org: failed (1 changed, 1 unchanged) 2.3s',
      'gone: unreachable 3.3s',
    ],
  );
});

test('progress line of a failed handler: every resource and handler counted once, the failure too', () => {
  const applied = result('h', 'failed', [change(conf, 'create'), change(dir, 'create'), change(key, 'unchanged')], {
    applied: true,
    done: new Set([conf.id, dir.id]),
    handlersRun: [
      { name: 'reload', ok: true, detail: '' },
      { name: 'restart', ok: false, detail: 'Job failed' },
    ],
  });
  applied.plan!.handlers = [
    { name: 'reload', steps: [{ kind: 'reload', unit: 'a' }], role: 'r' },
    { name: 'restart', steps: [{ kind: 'reload', unit: 'b' }], role: 'r' },
  ];
  assert.equal(progressLine(applied, plain), 'h: failed (3 changed, 1 unchanged, 1 failed)');
  const aborted = result('h', 'failed', [change(conf, 'create'), change(dir, 'create')], {
    applied: true,
    done: new Set(),
    failures: new Map([[conf.id, 'apache2ctl -t fails']]),
  });
  aborted.plan!.handlers = [{ name: 'reload', steps: [{ kind: 'reload', unit: 'a' }], role: 'r' }];
  assert.equal(progressLine(aborted, plain), 'h: failed (0 changed, 0 unchanged, 1 failed, 2 not done)');
});
