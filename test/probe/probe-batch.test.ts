// The probe asks stat, sha256sum, readlink and getent once for every path and name (shell/probe.sh):
// the answers must be those of looking at each thing alone, also for names the batched answers cannot
// hold (a newline in a path), and the number of programs started must not grow with the resources.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalConnection } from '../../src/host/local.js';
import { parseProbe } from '../../src/host/protocol/parse-probe.js';
import { sha256 } from '../../src/model/digest.js';
import { probeScript } from '../../src/probe/probe-script.js';
import type { DesiredState, Resource } from '../../src/model/desired.js';

const root = mkdtempSync(join(tmpdir(), 'provision-probe-batch-'));
after(() => rmSync(root, { recursive: true, force: true }));

const me = execFileSync('id', ['-un'], { encoding: 'utf8' }).trim();
const myGroup = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
const base = { role: 'r', notify: [] };
const file = (path: string, content = 'x\n'): Resource => ({ kind: 'file', id: `file:${path}`, ...base, path, content, secret: false });
const dir = (path: string): Resource => ({ kind: 'directory', id: `directory:${path}`, ...base, path });
const link = (path: string): Resource => ({ kind: 'symlink', id: `symlink:${path}`, ...base, path, target: '/t' });
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: join(root, 'tls'), stdio: ['ignore', 'pipe', 'pipe'] });

async function probe(state: DesiredState) {
  const result = await new LocalConnection().run(probeScript(state, root));
  assert.equal(result.exitCode, 0, result.stderr);
  return parseProbe(result.stdout, state);
}

const tricky: Resource[] = [
  file('/f/plain'),
  file('/f/with space'),
  file('/f/with space and more'), // the first name is the start of this one
  file('/f/new\nline'),
  file('/f/new'), // the first line of the name above
  file('/f/fifo'),
  file('/f/back\\slash'),
  dir('/f/d  two spaces'),
  link('/f/link with space'),
  link('/f/link\nnewline'),
  link('/f/link-to-newline'),
  link('/f/ln -> x'),
  link('/f/ln'),
  { kind: 'private_key', id: 'private_key:/tls/k.key', ...base, path: '/tls/k.key', keyType: 'rsa2048' },
  { kind: 'csr', id: 'csr:/tls/c.csr', ...base, path: '/tls/c.csr', key: '/tls/k.key', domains: ['a.test', 'b.test'] },
  { kind: 'csr', id: 'csr:/tls/other.csr', ...base, path: '/tls/other.csr', key: '/tls/k.key', domains: ['a.test'] },
  {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/tls/self.pem',
    ...base,
    path: '/tls/self.pem',
    dir: '/tls',
    key: '/tls/k.key',
    domains: ['a.test'],
  },
  {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/tls/issued.pem',
    ...base,
    path: '/tls/issued.pem',
    dir: '/tls',
    key: '/tls/k.key',
    domains: ['a.test'],
  },
  {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/tls/other-key.pem',
    ...base,
    path: '/tls/other-key.pem',
    dir: '/tls',
    key: '/tls/k.key',
    domains: ['a.test'],
  },
  {
    kind: 'placeholder_certificate',
    id: 'placeholder_certificate:/tls/keyless.pem',
    ...base,
    path: '/tls/self.pem',
    dir: '/tls',
    key: '/tls/no-such.key',
    domains: ['a.test'],
  },
  { kind: 'user', id: 'user:0', ...base, name: '0', system: false, groups: [] },
  { kind: 'user', id: `user:${me}`, ...base, name: me, system: false, groups: [] },
  { kind: 'group', id: 'group:no-such-group-zz', ...base, name: 'no-such-group-zz', system: false },
];
const trickyState: DesiredState = { host: 'h', handlers: [], resources: tricky };

before(() => {
  mkdirSync(join(root, 'f/d  two spaces'), { recursive: true });
  mkdirSync(join(root, 'tls'));
  for (const name of ['plain', 'with space', 'with space and more', 'new\nline', 'new', 'back\\slash'])
    writeFileSync(join(root, 'f', name), `content of ${name}\n`);
  chmodSync(join(root, 'f/with space'), 0o604);
  chmodSync(join(root, 'f/new\nline'), 0o640); // not as "/f/new", whose stat line it would start with
  execFileSync('mkfifo', [join(root, 'f/fifo')]); // a pipe at a file's path must not be read (it would block)
  symlinkSync('/target with space', join(root, 'f/link with space'));
  symlinkSync('/t', join(root, 'f/link\nnewline'));
  symlinkSync('/target\nwith newline', join(root, 'f/link-to-newline'));
  symlinkSync('/one', join(root, 'f/ln -> x'));
  symlinkSync('/two', join(root, 'f/ln'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl('req', '-new', ...ec, '-keyout', 'k.key', '-out', 'c.csr', '-subj', '/CN=a.test/O=Org', '-addext', 'subjectAltName=DNS:a.test, DNS:b.test');
  openssl('req', '-new', ...ec, '-keyout', 'other.key', '-out', 'other.csr', '-subj', '/CN=a.test');
  openssl('req', '-x509', '-key', 'k.key', '-out', 'self.pem', '-subj', '/CN=a.test', '-days', '1');
  openssl('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-subj', '/CN=Test CA', '-days', '1');
  openssl('x509', '-req', '-in', 'c.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-out', 'issued.pem', '-days', '1', '-set_serial', '7');
  openssl('x509', '-req', '-in', 'other.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-out', 'other-key.pem', '-days', '1', '-set_serial', '8');
});

function attributesOf(path: string) {
  const s = lstatSync(join(root, path));
  return { mode: (s.mode & 0o7777).toString(8).padStart(4, '0'), owner: me, group: myGroup };
}

test('paths with spaces, newlines and backslashes, a pipe, links, requests, certificates and accounts read as alone', async () => {
  const actual = await probe(trickyState);
  for (const name of ['plain', 'with space', 'with space and more', 'new\nline', 'new', 'back\\slash']) {
    const content = readFileSync(join(root, 'f', name), 'utf8');
    assert.deepEqual(actual.resources.get(`file:/f/${name}`), { state: 'file', ...attributesOf(`f/${name}`), sha256: sha256(content), content }, name);
  }
  assert.equal(attributesOf('f/with space').mode, '0604');
  assert.deepEqual(actual.resources.get('file:/f/fifo'), { state: 'other', type: 'not-a-file' });
  assert.deepEqual(actual.resources.get('directory:/f/d  two spaces'), { state: 'directory', ...attributesOf('f/d  two spaces') });
  assert.deepEqual(actual.resources.get('symlink:/f/link with space'), { state: 'symlink', target: '/target with space' });
  assert.deepEqual(actual.resources.get('symlink:/f/link\nnewline'), { state: 'symlink', target: '/t' });
  assert.deepEqual(actual.resources.get('symlink:/f/ln -> x'), { state: 'symlink', target: '/one' });
  assert.deepEqual(actual.resources.get('symlink:/f/ln'), { state: 'symlink', target: '/two' });
  // A target with a newline comes back cut at it, as it always did (one probe line per thing).
  assert.deepEqual(actual.resources.get('symlink:/f/link-to-newline'), { state: 'symlink', target: '/target' });
  assert.deepEqual(actual.resources.get('private_key:/tls/k.key'), { state: 'private_key', ...attributesOf('tls/k.key'), keyType: 'ec256' });
  assert.deepEqual(actual.resources.get('csr:/tls/c.csr'), {
    state: 'csr',
    ...attributesOf('tls/c.csr'),
    keyMatches: true,
    san: ['DNS:a.test', 'DNS:b.test'],
    subject: 'O=Org,CN=a.test',
  });
  assert.deepEqual(actual.resources.get('csr:/tls/other.csr'), {
    state: 'csr',
    ...attributesOf('tls/other.csr'),
    keyMatches: false,
    san: [],
    subject: 'CN=a.test',
  });
  assert.deepEqual(actual.resources.get('placeholder_certificate:/tls/self.pem'), { state: 'certificate', selfSigned: true, keyMatches: true });
  assert.deepEqual(actual.resources.get('placeholder_certificate:/tls/issued.pem'), { state: 'certificate', selfSigned: false, keyMatches: true });
  // A certificate of another key, or one whose key is gone, must be replaced (the services would refuse the pair).
  assert.deepEqual(actual.resources.get('placeholder_certificate:/tls/other-key.pem'), { state: 'certificate', selfSigned: false, keyMatches: false });
  assert.deepEqual(actual.resources.get('placeholder_certificate:/tls/keyless.pem'), { state: 'certificate', selfSigned: true, keyMatches: false });
  // getent answers a number with the entry of that id: the probe still says the name resolves.
  assert.equal(actual.resources.get('user:0')?.state, 'user');
  assert.equal(actual.resources.get(`user:${me}`)?.state, 'user');
  assert.deepEqual(actual.resources.get('group:no-such-group-zz'), { state: 'missing' });
});

test('the probe starts the same few programs for 10 or 60 resources', () => {
  const execs = (count: number) => {
    const resources: Resource[] = [];
    for (let i = 0; i < count; i++) resources.push([file, dir, link][i % 3]!(`/many/${i}`));
    resources.push(
      { kind: 'user', id: `user:${me}`, ...base, name: me, system: false, groups: [] },
      { kind: 'group', id: `group:${myGroup}`, ...base, name: myGroup, system: false },
    );
    mkdirSync(join(root, 'many'), { recursive: true });
    for (let i = 0; i < count; i++) {
      const path = join(root, 'many', String(i));
      rmSync(path, { recursive: true, force: true });
      if (i % 3 === 0) writeFileSync(path, 'x\n');
      else if (i % 3 === 1) mkdirSync(path);
      else symlinkSync('/t', path);
    }
    const log = join(root, `strace-${count}.log`);
    const run = spawnSync('strace', ['-f', '-qq', '-e', 'trace=execve', '-o', log, 'sh', '-s'], {
      input: probeScript({ host: 'h', handlers: [], resources }, root),
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /@done/);
    return readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.includes('execve('))
      .map((line) => /execve\("([^"]*)"/.exec(line)![1]!.replace(/.*\//, ''));
  };
  const few = execs(10);
  const many = execs(60);
  // sh itself, then one stat, sha256sum and readlink for all paths, one getent each for users and
  // groups, and id for the groups of the one managed user.
  assert.deepEqual(many.sort(), ['getent', 'getent', 'id', 'readlink', 'sh', 'sha256sum', 'stat']);
  assert.deepEqual(few.sort(), many);
});
