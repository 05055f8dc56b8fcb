import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planHost } from '../../src/plan/plan-host.js';
import { sha256 } from '../../src/model/digest.js';
import type { ActualState, Observed } from '../../src/model/actual.js';
import type { DesiredState, Resource } from '../../src/model/desired.js';

const conf: Resource = {
  kind: 'file',
  id: 'file:/etc/app.conf',
  role: 'r',
  notify: ['reload app'],
  path: '/etc/app.conf',
  content: 'a\nb\nc\nd\ne\nf\ng\n',
  mode: '0644',
  owner: 'root',
  group: 'root',
  secret: false,
};
const key: Resource = {
  kind: 'private_key',
  id: 'private_key:/etc/k.key',
  role: 'r',
  notify: [],
  path: '/etc/k.key',
  keyType: 'rsa2048',
  mode: '0400',
  owner: 'root',
  group: 'root',
};
const csr: Resource = {
  kind: 'csr',
  id: 'csr:/etc/k.csr',
  role: 'r',
  notify: [],
  path: '/etc/k.csr',
  key: '/etc/k.key',
  domains: ['a.test', 'b.test'],
  organization: 'Org',
  country: 'SE',
};

function desired(...resources: Resource[]): DesiredState {
  return { host: 'h', resources, handlers: [{ name: 'reload app', steps: [{ kind: 'command', command: 'true' }], role: 'r' }] };
}

function actual(entries: [Resource, Observed][], isRoot = true): ActualState {
  return { isRoot, users: new Set(['root']), groups: new Set(['root']), resources: new Map(entries.map(([r, o]) => [r.id, o])), pendingHandlers: [] };
}

const same = { state: 'file', mode: '0644', owner: 'root', group: 'root', sha256: sha256(conf.kind === 'file' ? conf.content : '') } as const;

test('a file that matches is unchanged and notifies nothing', () => {
  const plan = planHost(desired(conf), actual([[conf, same]]), { secretValues: [] });
  assert.equal(plan.changes[0]!.action, 'unchanged');
  assert.deepEqual(plan.handlers, []);
});

test('a missing file is created with its mode and notifies its handler once', () => {
  const other: Resource = { ...conf, id: 'file:/etc/b.conf', path: '/etc/b.conf' };
  const plan = planHost(
    desired(conf, other),
    actual([
      [conf, { state: 'missing' }],
      [other, { state: 'missing' }],
    ]),
    { secretValues: [] },
  );
  assert.deepEqual(
    plan.changes.map((c) => c.action),
    ['create', 'create'],
  );
  assert.equal(plan.changes[0]!.mode, '0644');
  assert.deepEqual(
    plan.handlers.map((h) => h.name),
    ['reload app'],
  );
});

test('an edited file is an update with a 3-line-context unified diff of that file', () => {
  const edited = 'a\nb\nc\nX\ne\nf\ng\n';
  const plan = planHost(desired(conf), actual([[conf, { ...same, sha256: sha256(edited), content: edited }]]), { secretValues: [] });
  const change = plan.changes[0]!;
  assert.equal(change.action, 'update');
  assert.deepEqual(change.reasons, ['content']);
  assert.equal(
    change.diff,
    ['--- before: /etc/app.conf', '+++ after: /etc/app.conf', '@@ -1,7 +1,7 @@', ' a', ' b', ' c', '-X', '+d', ' e', ' f', ' g'].join('\n'),
  );
});

test('a mode change alone is an update without rewriting the content', () => {
  const plan = planHost(desired(conf), actual([[conf, { ...same, mode: '0600' }]]), { secretValues: [] });
  assert.equal(plan.changes[0]!.action, 'update');
  assert.deepEqual(plan.changes[0]!.reasons, ['mode 0600 -> 0644']);
  assert.equal(plan.changes[0]!.rewrite, false);
});

test('owner differences are ignored, with a notice, when not running as root', () => {
  const plan = planHost(desired(conf), actual([[conf, { ...same, owner: 'me', group: 'me' }]], false), { secretValues: [] });
  assert.equal(plan.changes[0]!.action, 'unchanged');
  assert.match(plan.notices.join('\n'), /not running as root/);
});

test('a file holding a secret value is diffed as (content hidden), before and after', () => {
  const secretFile: Resource = { ...conf, content: 'password = hunter22\n' };
  const plan = planHost(desired(secretFile), actual([[secretFile, { ...same, sha256: 'x', content: 'password = old\n' }]]), { secretValues: ['hunter22'] });
  assert.equal(plan.changes[0]!.diff, '(content hidden)');
  const wasSecret = planHost(desired(conf), actual([[conf, { ...same, sha256: 'x', content: 'hunter22\n' }]]), { secretValues: ['hunter22'] });
  assert.equal(wasSecret.changes[0]!.diff, '(content hidden)');
});

test('a private key is created only when missing and never diffed with content', () => {
  const created = planHost(desired(key), actual([[key, { state: 'missing' }]]), { secretValues: [] });
  assert.equal(created.changes[0]!.action, 'create');
  assert.doesNotMatch(created.changes[0]!.diff ?? '', /BEGIN/);
  const present = planHost(desired(key), actual([[key, { state: 'private_key', mode: '0400', owner: 'root', group: 'root' }]]), { secretValues: [] });
  assert.equal(present.changes[0]!.action, 'unchanged');
});

test('a CSR is regenerated when its names change or its key is new', () => {
  const good: Observed = {
    state: 'csr',
    mode: '0644',
    owner: 'root',
    group: 'root',
    subject: 'CN=a.test,O=Org,C=SE',
    san: ['DNS:a.test', 'DNS:b.test'],
    keyMatches: true,
  };
  const keyThere: Observed = { state: 'private_key', mode: '0400', owner: 'root', group: 'root' };
  assert.equal(
    planHost(
      desired(key, csr),
      actual([
        [key, keyThere],
        [csr, good],
      ]),
      { secretValues: [] },
    ).changes[1]!.action,
    'unchanged',
  );
  const renamed = planHost(
    desired(key, csr),
    actual([
      [key, keyThere],
      [csr, { ...good, san: ['DNS:a.test'] }],
    ]),
    { secretValues: [] },
  ).changes[1]!;
  assert.equal(renamed.action, 'update');
  assert.equal(renamed.rewrite, true);
  const newKey = planHost(
    desired(key, csr),
    actual([
      [key, { state: 'missing' }],
      [csr, good],
    ]),
    { secretValues: [] },
  ).changes[1]!;
  assert.deepEqual([newKey.action, newKey.rewrite], ['update', true]);
});

test('something of another type in the way is a plan error, not a change', () => {
  const plan = planHost(desired(conf), actual([[conf, { state: 'other', type: 'not-a-file' }]]), { secretValues: [] });
  assert.equal(plan.changes.length, 0);
  assert.match(plan.errors[0]!, /\/etc\/app.conf/);
});

test('under a --root tree users are skipped and handlers are not run', () => {
  const user: Resource = { kind: 'user', id: 'user:acme', role: 'r', notify: [], name: 'acme', system: true, groups: [] };
  const plan = planHost(
    desired(user, conf),
    actual([
      [user, { state: 'missing' }],
      [conf, { state: 'missing' }],
    ]),
    { root: '/tmp/x', secretValues: [] },
  );
  assert.equal(plan.changes[0]!.action, 'skipped');
  assert.deepEqual(plan.handlers, []);
  assert.match(plan.notices.join('\n'), /handlers not run under a --root tree: reload app/);
});

test('a handler an earlier run promised but never ran is run now, with nothing else changed', () => {
  const plan = planHost(desired(conf), { ...actual([[conf, same]]), pendingHandlers: ['reload app'] }, { secretValues: [] });
  assert.equal(plan.changes[0]!.action, 'unchanged');
  assert.deepEqual(
    plan.handlers.map((h) => h.name),
    ['reload app'],
  );
});
