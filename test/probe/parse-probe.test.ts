import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../src/host/local.js';
import { parseProbe, ProbeOutputError } from '../../src/host/protocol/parse-probe.js';
import { sha256 } from '../../src/model/digest.js';
import { probeScript } from '../../src/probe/probe-script.js';
import type { DesiredState, Resource } from '../../src/model/desired.js';

const root = mkdtempSync(join(tmpdir(), 'provision-probe-'));
after(() => rmSync(root, { recursive: true, force: true }));

const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
const myGroup = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
const oldContent = 'old line é\n'.repeat(20); // longer than one base64 line, not ASCII
const sameContent = 'unchanged\n';

function file(path: string, content: string, extra: Partial<Resource> = {}): Resource {
  return { kind: 'file', id: `file:${path}`, role: 'r', notify: [], path, content, secret: false, ...extra } as Resource;
}

const state: DesiredState = {
  host: 'h',
  handlers: [],
  resources: [
    file('/etc/app/changed.conf', 'new\n', { owner: me }),
    file('/etc/app/same.conf', sameContent),
    file('/etc/app/secret.conf', 'new secret\n', { secret: true }),
    file('/etc/app/missing.conf', 'x'),
    { kind: 'directory', id: 'directory:/etc/app', role: 'r', notify: [], path: '/etc/app', group: 'no-such-group-zz' },
    { kind: 'symlink', id: 'symlink:/etc/link', role: 'r', notify: [], path: '/etc/link', target: '/x' },
    file('/etc/a-dir', 'x'),
    { kind: 'directory', id: 'directory:/etc/a-file', role: 'r', notify: [], path: '/etc/a-file' },
    { kind: 'user', id: 'user:no-such-user-zz', role: 'r', notify: [], name: 'no-such-user-zz', system: false, groups: [] },
    { kind: 'group', id: 'group:no-such-group-zz', role: 'r', notify: [], name: 'no-such-group-zz', system: false },
  ],
};

let output = '';

before(async () => {
  mkdirSync(join(root, 'etc/app'), { recursive: true });
  writeFileSync(join(root, 'etc/app/changed.conf'), oldContent);
  chmodSync(join(root, 'etc/app/changed.conf'), 0o640);
  writeFileSync(join(root, 'etc/app/same.conf'), sameContent);
  chmodSync(join(root, 'etc/app/same.conf'), 0o600);
  writeFileSync(join(root, 'etc/app/secret.conf'), 'old secret\n');
  chmodSync(join(root, 'etc/app'), 0o750);
  symlinkSync('/target with space/x', join(root, 'etc/link'));
  mkdirSync(join(root, 'etc/a-dir'));
  writeFileSync(join(root, 'etc/a-file'), '');
  const result = await new LocalConnection().run(probeScript(state, root));
  assert.equal(result.exitCode, 0, result.stderr);
  output = result.stdout;
});

test('a real probe output is read back for every resource', () => {
  const actual = parseProbe(output, state);
  assert.equal(actual.isRoot, process.getuid!() === 0);
  assert.deepEqual(
    [...actual.resources.keys()],
    state.resources.map((r) => r.id),
  );
  assert.deepEqual(actual.resources.get('file:/etc/app/same.conf'), { state: 'file', mode: '0600', owner: me, group: myGroup, sha256: sha256(sameContent) });
  assert.deepEqual(actual.resources.get('file:/etc/app/missing.conf'), { state: 'missing' });
  assert.deepEqual(actual.resources.get('directory:/etc/app'), { state: 'directory', mode: '0750', owner: me, group: myGroup });
  assert.deepEqual(actual.resources.get('symlink:/etc/link'), { state: 'symlink', target: '/target with space/x' });
  assert.deepEqual(actual.resources.get('file:/etc/a-dir'), { state: 'other', type: 'not-a-file' });
  assert.deepEqual(actual.resources.get('directory:/etc/a-file'), { state: 'other', type: 'not-a-directory' });
  assert.deepEqual(actual.resources.get('user:no-such-user-zz'), { state: 'missing' });
  assert.deepEqual(actual.resources.get('group:no-such-group-zz'), { state: 'missing' });
});

test('the content of a changed file is decoded from its base64 block', () => {
  const observed = parseProbe(output, state).resources.get('file:/etc/app/changed.conf');
  assert.deepEqual(observed, { state: 'file', mode: '0640', owner: me, group: myGroup, sha256: sha256(oldContent), content: oldContent });
});

test('an unchanged file and a secret file come back without content', () => {
  const actual = parseProbe(output, state);
  assert.equal((actual.resources.get('file:/etc/app/same.conf') as { content?: string }).content, undefined);
  const secret = actual.resources.get('file:/etc/app/secret.conf') as { state: string; sha256: string; content?: string };
  assert.equal(secret.state, 'file');
  assert.equal(secret.sha256, sha256('old secret\n'));
  assert.equal(secret.content, undefined);
});

test('account names that resolve are collected, those that do not are left out', () => {
  const actual = parseProbe(output, state);
  assert.deepEqual([...actual.users], [me]);
  assert.deepEqual([...actual.groups], []);
});

test('an existing user and group are read with home, shell and groups', async () => {
  const userState: DesiredState = {
    host: 'h',
    handlers: [],
    resources: [
      { kind: 'user', id: `user:${me}`, role: 'r', notify: [], name: me, system: false, groups: [] },
      { kind: 'group', id: `group:${myGroup}`, role: 'r', notify: [], name: myGroup, system: false },
    ],
  };
  const result = await new LocalConnection().run(probeScript(userState, root));
  const actual = parseProbe(result.stdout, userState);
  const passwd = execFileSync('getent', ['passwd', me], { encoding: 'utf8' }).trim().split(':');
  const user = actual.resources.get(`user:${me}`);
  assert.ok(user?.state === 'user');
  assert.equal(user.home, passwd[5]);
  assert.equal(user.shell, passwd[6]);
  assert.ok(user.groups.includes(myGroup));
  assert.deepEqual(actual.resources.get(`group:${myGroup}`), { state: 'group' });
});

test('a truncated output (no @done) throws ProbeOutputError', () => {
  const truncated = output.slice(0, output.indexOf('@done'));
  assert.ok(truncated.length > 0);
  assert.throws(
    () => parseProbe(truncated, state),
    (error: unknown) => error instanceof ProbeOutputError && /ended early/.test(error.message),
  );
  assert.throws(() => parseProbe('', state), ProbeOutputError);
});

test('an output that says nothing about a resource throws, naming it', () => {
  const lines = output.split('\n').filter((line) => !line.startsWith('@r3 '));
  assert.throws(
    () => parseProbe(lines.join('\n'), state),
    (error: unknown) => error instanceof ProbeOutputError && error.message.includes('file:/etc/app/missing.conf'),
  );
});

test('an unknown resource index or state throws', () => {
  assert.throws(() => parseProbe(`@r99 missing\n${output}`, state), /unknown resource r99/);
  assert.throws(() => parseProbe(`@r0 sparkly\n${output}`, state), /probe line not understood: @r0 sparkly/);
});

test('lines that are not probe lines (noise on stdout) are ignored', () => {
  const noisy = `motd: welcome\n${output.replace('@done', 'some warning\n@done')}`;
  assert.deepEqual(parseProbe(noisy, state), parseProbe(output, state));
});

test('the probe changes nothing on the host', async () => {
  const before = execFileSync('find', [root, '-printf', '%p %m %s %l\n'], { encoding: 'utf8' });
  await new LocalConnection().run(probeScript(state, root));
  assert.equal(execFileSync('find', [root, '-printf', '%p %m %s %l\n'], { encoding: 'utf8' }), before);
});

test('csr lines are read: key match, names and subject', () => {
  const csrState: DesiredState = {
    host: 'h',
    handlers: [],
    resources: [{ kind: 'csr', id: 'csr:/c.csr', role: 'r', notify: [], path: '/c.csr', key: '/c.key', domains: ['a.test'] }],
  };
  const text = '@uid 1000\n@r0 csr 440 root acme 1 DNS:a.test,DNS:b.test\n@r0 subject subject=CN=a.test,O=Org\n@done\n';
  assert.deepEqual(parseProbe(text, csrState).resources.get('csr:/c.csr'), {
    state: 'csr',
    mode: '0440',
    owner: 'root',
    group: 'acme',
    keyMatches: true,
    san: ['DNS:a.test', 'DNS:b.test'],
    subject: 'CN=a.test,O=Org',
  });
  const noSan = parseProbe('@r0 csr 440 root acme 0 -\n@r0 subject unreadable\n@done\n', csrState).resources.get('csr:/c.csr');
  assert.ok(noSan?.state === 'csr');
  assert.equal(noSan.keyMatches, false);
  assert.deepEqual(noSan.san, []);
});

test('the record of what provision manages comes back line by line, with what is at the paths the desired state dropped', () => {
  const output = [
    '@uid 0',
    '@gid 0',
    '@record # provision managed record v1',
    '@record path file c web - - /etc/web/gone b.conf',
    '@was file abc',
    '@was content',
    Buffer.from('site b\n').toString('base64'),
    '@was end',
    '@record path symlink c web - - /etc/web/enabled',
    '@was symlink ../sites/a b.conf',
    '@record path directory c web - - /etc/web/d',
    '@was directory 0',
    '@record path csr c letsencrypt old - /etc/ssl/old/domain.csr',
    '@was file -',
    '@was names DNS:A.test,DNS:b.test',
    '@foreign 0 old.example.org /etc/web/enabled/old site',
    '@done',
  ].join('\n');
  const actual = parseProbe(output, { host: 'h', handlers: [], resources: [] });
  assert.deepEqual(actual.record?.lines, [
    '# provision managed record v1',
    'path file c web - - /etc/web/gone b.conf',
    'path symlink c web - - /etc/web/enabled',
    'path directory c web - - /etc/web/d',
    'path csr c letsencrypt old - /etc/ssl/old/domain.csr',
  ]);
  assert.deepEqual(Object.fromEntries(actual.record!.was), {
    '/etc/web/gone b.conf': { state: 'file', sha256: 'abc', content: 'site b\n' },
    '/etc/web/enabled': { state: 'symlink', target: '../sites/a b.conf' },
    '/etc/web/d': { state: 'directory', empty: false },
    '/etc/ssl/old/domain.csr': { state: 'file', names: ['a.test', 'b.test'] },
  });
  assert.deepEqual(actual.foreignLinks, [{ index: 0, name: 'old.example.org', link: '/etc/web/enabled/old site' }]);
  assert.throws(() => parseProbe('@was missing\n@done\n', { host: 'h', handlers: [], resources: [] }), ProbeOutputError, 'a @was without its record line');
});
