// The renewal script's ARI helper (roles/letsencrypt/files/ari.py) run by the real python3 against a
// loopback HTTP server of this test that answers the directory and renewalInfo with fixture answers
// (windows, Retry-After, explanationURL, malformed JSON, invalid windows, 404, 500, refused), on
// certificates made by the real openssl. What is checked is what the script and `provision status`
// see: the helper's output lines (its verdict and log lines) and the state file it writes
// (NAME.json, the contract of issue 10), its GETs counted by the server. RFC 9773's own CertID
// example is reproduced from a certificate with its key identifier and serial.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ariCertId, certIdFromText } from '../helpers/ari-cert-id.js';
import { projectRoot } from '../helpers/cli.js';

const helper = join(projectRoot, 'roles/letsencrypt/files/ari.py');
const run = promisify(execFile);
const day = 86400;
const interval = 43200; // RUN_INTERVAL of a daily schedule

let dir = '';
let server: Server;
let directoryUrl = '';
/** what the next GETs of renewalInfo answer: status, headers, body */
let answer: { status: number; headers?: Record<string, string>; body: string } = { status: 404, body: '{}' };
let advertise = true;
let gets: string[] = [];

interface AriState {
  certId: string;
  checkedAt: number;
  nextCheckAt: number;
  window: { start: number; end: number } | null;
  selectedAt: number | null;
  explanationURL: string | null;
  error: string | null;
  consecutiveErrors: number;
}
interface State {
  version: number;
  certificate: string;
  serial: string;
  notBefore: number;
  notAfter: number;
  ari: AriState | null;
  plannedRenewalAt: number;
  lastAttempt: { at: number; outcome: string; reason: string; error: string | null } | null;
  lastRenewal: number | null;
  consecutiveFailures: number;
}

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CA (openssl adds its subjectKeyIdentifier, which becomes its leaves' authority key identifier). */
function makeCa(name: string): void {
  mkdirSync(join(dir, name, 'new'), { recursive: true });
  writeFileSync(join(dir, name, 'index.txt'), '');
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${name}/ca.key`,
    '-out',
    `${name}/ca.pem`,
    '-subj',
    `/CN=${name}`,
  );
}

let serialCounter = 0x100;
/** A leaf of CA `ca` valid from `fromSeconds` to `toSeconds` relative to now, with this serial (hex). */
function leaf(ca: string, file: string, fromSeconds: number, toSeconds: number, serial = (serialCounter++).toString(16)): string {
  const stamp = (s: number) =>
    new Date(Date.now() + s * 1000)
      .toISOString()
      .replace(/[-:T]/g, '')
      .replace(/\.\d{3}Z$/, 'Z');
  writeFileSync(join(dir, ca, 'serial'), `${serial.length % 2 ? '0' : ''}${serial}\n`);
  writeFileSync(
    join(dir, ca, 'ca.cnf'),
    `[ca]\ndefault_ca = l\n[l]\ndatabase = ${dir}/${ca}/index.txt\nnew_certs_dir = ${dir}/${ca}/new\nserial = ${dir}/${ca}/serial\n` +
      `certificate = ${dir}/${ca}/ca.pem\nprivate_key = ${dir}/${ca}/ca.key\ndefault_md = sha256\npolicy = any\nunique_subject = no\n` +
      `x509_extensions = ext\n[any]\ncommonName = supplied\n[ext]\nauthorityKeyIdentifier = keyid\nsubjectAltName = DNS:www.example.test\n`,
  );
  openssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${file}.key`,
    '-out',
    `${file}.csr`,
    '-subj',
    '/CN=www.example.test',
  );
  openssl(
    'ca',
    '-batch',
    '-config',
    `${ca}/ca.cnf`,
    '-in',
    `${file}.csr`,
    '-out',
    file,
    '-notext',
    '-startdate',
    stamp(fromSeconds),
    '-enddate',
    stamp(toSeconds),
  );
  return join(dir, file);
}

const rfc3339 = (epoch: number) => new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
const now = () => Math.floor(Date.now() / 1000);
const windowAnswer = (start: number, end: number, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) => ({
  status: 200,
  headers: { 'Content-Type': 'application/json', ...headers },
  body: JSON.stringify({ suggestedWindow: { start: rfc3339(start), end: rfc3339(end) }, ...extra }),
});

const stateDir = () => join(dir, 'state');
const stateFile = (name = 'www.example.test') => join(stateDir(), `${name}.json`);
const readState = (name = 'www.example.test') => JSON.parse(readFileSync(stateFile(name), 'utf8')) as State;

async function helperRun(args: string[]): Promise<string[]> {
  const { stdout } = await run('/usr/bin/python3', [helper, ...args], { env: { ...process.env, SSL_CERT_FILE: '/nonexistent' } });
  return stdout.split('\n').filter((line) => line !== '');
}

/** `ari.py check` for `cert`, with a third of a 90-day lifetime as the backstop; its lines, the last being the verdict. */
function check(cert: string, options: { url?: string; renewBefore?: number } = {}): Promise<string[]> {
  return helperRun(['check', 'www.example.test', cert, stateDir(), options.url ?? directoryUrl, String(interval), String(options.renewBefore ?? 30 * day), '']);
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ari-helper-test-'));
  makeCa('ca');
  server = createServer((request, response) => {
    const url = request.url ?? '/';
    if (url === '/dir') {
      const directory: Record<string, string> = { newNonce: 'http://x/nonce', newOrder: 'http://x/order' };
      if (advertise) directory.renewalInfo = `${origin()}/renewal-info/`;
      return void response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(directory));
    }
    if (url.startsWith('/renewal-info/')) {
      gets.push(decodeURIComponent(url.slice('/renewal-info/'.length)));
      return void response.writeHead(answer.status, answer.headers ?? {}).end(answer.body);
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  directoryUrl = `${origin()}/dir`;
});
const origin = () => `http://127.0.0.1:${(server.address() as { port: number }).port}`;

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(() => {
  rmSync(stateDir(), { recursive: true, force: true });
  mkdirSync(stateDir(), { mode: 0o755 });
  chmodSync(stateDir(), 0o755);
  advertise = true;
  gets = [];
});

test('ari.py byte-compiles with the host python3', () => {
  const cache = join(dir, 'pycache');
  execFileSync('/usr/bin/python3', ['-m', 'py_compile', helper], { env: { ...process.env, PYTHONPYCACHEPREFIX: cache } });
});

test("CertID: RFC 9773 section 4.1's example (key identifier 69:88:5B..., serial 0x87654321, top bit set) and the test's own computation agree", async () => {
  makeCa('rfc');
  // The RFC's example issuer key identifier, as this CA's subjectKeyIdentifier.
  openssl(
    'req',
    '-x509',
    '-key',
    'rfc/ca.key',
    '-out',
    'rfc/ca.pem',
    '-subj',
    '/CN=rfc',
    '-addext',
    'subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4',
  );
  const cert = leaf('rfc', 'rfc.pem', -3600, 30 * day, '87654321');
  assert.deepEqual(await helperRun(['cert-id', cert]), ['aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE']);
  for (const serial of ['01', '7f', '80', '00ff', 'deadbeef', '1234567890abcdef1234567890abcdef12']) {
    const other = leaf('ca', `s-${serial}.pem`, -3600, 30 * day, serial);
    const [id] = await helperRun(['cert-id', other]);
    assert.equal(id, ariCertId(other), `serial ${serial}`);
    assert.equal(id, certIdFromText(other), `serial ${serial}`);
  }
});

test('a window in the past: due now; the state file has exactly the contract keys, the serial as openssl prints it, the dates, the moment chosen in the window', async () => {
  const cert = leaf('ca', 'past.pem', -60 * day, 30 * day);
  const start = now() - 7200;
  answer = windowAnswer(start, start + 3600, { 'Retry-After': '21600' });
  const lines = await check(cert);
  assert.match(lines.at(-1)!, /^due the CA's renewal window \(ARI\) .* has passed$/);
  assert.deepEqual(gets, [ariCertId(cert)]);
  const state = readState();
  assert.deepEqual(Object.keys(state), [
    'version',
    'certificate',
    'serial',
    'notBefore',
    'notAfter',
    'ari',
    'plannedRenewalAt',
    'lastAttempt',
    'lastRenewal',
    'consecutiveFailures',
  ]);
  assert.deepEqual(Object.keys(state.ari!), ['certId', 'checkedAt', 'nextCheckAt', 'window', 'selectedAt', 'explanationURL', 'error', 'consecutiveErrors']);
  assert.equal(state.version, 1);
  assert.equal(state.certificate, 'www.example.test');
  assert.equal(`serial=${state.serial}`, openssl('x509', '-in', cert, '-noout', '-serial').trim());
  const epoch = (field: string) => Date.parse(openssl('x509', '-in', cert, '-noout', `-${field}`).trim().split('=')[1]!) / 1000;
  assert.equal(state.notBefore, epoch('startdate'));
  assert.equal(state.notAfter, epoch('enddate'));
  assert.equal(state.ari!.certId, ariCertId(cert));
  assert.deepEqual(state.ari!.window, { start, end: start + 3600 });
  assert.ok(state.ari!.selectedAt! >= start && state.ari!.selectedAt! <= start + 3600);
  assert.equal(state.ari!.nextCheckAt - state.ari!.checkedAt, 21600);
  assert.equal(state.plannedRenewalAt, state.ari!.selectedAt);
  assert.deepEqual([state.ari!.error, state.ari!.consecutiveErrors, state.lastAttempt, state.lastRenewal, state.consecutiveFailures], [null, 0, null, null, 0]);
  assert.ok(Object.values(state).every((v) => typeof v !== 'number' || Number.isInteger(v)));
});

test('a window after the next run: not due; the next check honours Retry-After, without a GET, and keeps the chosen moment; a window within the next run is due', async () => {
  const cert = leaf('ca', 'future.pem', -10 * day, 80 * day);
  const start = now() + 5 * day;
  answer = windowAnswer(start, start + day, { 'Retry-After': '3600' });
  const first = await check(cert);
  assert.equal(first.at(-1), 'not-due');
  const state = readState();
  assert.ok(
    first.includes(
      `info ARI: the CA's renewal window (ARI) ${rfc3339(start)} .. ${rfc3339(start + day)} puts the renewal at ${rfc3339(state.ari!.selectedAt!)} (the CA is asked again at ${rfc3339(state.ari!.nextCheckAt)})`,
    ),
    first.join('\n'),
  );
  assert.equal(state.ari!.nextCheckAt - state.ari!.checkedAt, 3600);
  assert.equal(state.plannedRenewalAt, state.ari!.selectedAt, 'the ARI moment is before the backstop (a third before expiry)');
  assert.equal((await check(cert)).at(-1), 'not-due');
  assert.equal(gets.length, 1, 'Retry-After: not asked again before nextCheckAt');
  // Time passes (nextCheckAt reached): asked again, the same window keeps the moment chosen in it.
  writeFileSync(stateFile(), JSON.stringify({ ...state, ari: { ...state.ari, nextCheckAt: now() - 1 } }));
  await check(cert);
  assert.equal(gets.length, 2);
  assert.equal(readState().ari!.selectedAt, state.ari!.selectedAt);
  // A new window, starting before the next scheduled run (RUN_INTERVAL): due now.
  writeFileSync(stateFile(), JSON.stringify({ ...readState(), ari: { ...readState().ari, nextCheckAt: now() - 1 } }));
  answer = windowAnswer(now() + 600, now() + 1200);
  assert.match((await check(cert)).at(-1)!, /^due .*comes before the next scheduled run$/);
  assert.equal(readState().ari!.nextCheckAt - readState().ari!.checkedAt, 6 * 3600, 'no Retry-After: 6 hours');
});

test('Retry-After is clamped to 1 minute .. 1 day, in seconds or as an HTTP date', async () => {
  const cert = leaf('ca', 'clamp.pem', -10 * day, 80 * day);
  for (const [header, wait] of [
    ['5', 60],
    ['999999', 86400],
    [new Date(Date.now() + 7200_000).toUTCString(), 7200],
  ] as const) {
    rmSync(stateFile(), { force: true });
    answer = windowAnswer(now() + 5 * day, now() + 6 * day, { 'Retry-After': header });
    await check(cert);
    const ari = readState().ari!;
    assert.ok(Math.abs(ari.nextCheckAt - ari.checkedAt - wait) <= 2, `Retry-After ${header}: ${ari.nextCheckAt - ari.checkedAt} s`);
  }
});

test('explanationURL is logged as a warning and kept; control characters from the CA never reach the log line', async () => {
  const cert = leaf('ca', 'explained.pem', -10 * day, 80 * day);
  answer = windowAnswer(now() - 3600, now() - 1800, {}, { explanationURL: 'https://example.org/incident\nerr forged line' });
  const lines = await check(cert);
  assert.ok(lines.includes("warning ARI: the CA explains this certificate's renewal window at https://example.org/incident?err forged line"), lines.join('\n'));
  assert.ok(!lines.some((line) => line.startsWith('err ')));
  assert.equal(readState().ari!.explanationURL, 'https://example.org/incident?err forged line');
});

test('every broken answer is "no ARI answer": not due, a warning, the error and the next check kept (6 h long-term, 1 min, 10 min, 100 min, 1 day temporary)', async () => {
  const cert = leaf('ca', 'broken.pem', -10 * day, 80 * day);
  const cases: [string, typeof answer, number, RegExp][] = [
    ['invalid window (end before start)', windowAnswer(now() - 3600, now() - 7200), 6 * 3600, /invalid window: its end .* is not after its start/],
    [
      'invalid window (not a date)',
      { status: 200, body: '{"suggestedWindow": {"start": "yesterday", "end": "2026-01-01T00:00:00Z"}}' },
      6 * 3600,
      /invalid window/,
    ],
    ['malformed JSON', { status: 200, body: '{"suggestedWindow": ' }, 6 * 3600, /malformed JSON/],
    ['no suggestedWindow', { status: 200, body: '[1, 2]' }, 6 * 3600, /no suggestedWindow/],
    ['404', { status: 404, body: '{"type": "urn:ietf:params:acme:error:malformed"}' }, 6 * 3600, /HTTP 404/],
    ['500', { status: 500, body: 'oops' }, 60, /HTTP 500/],
    ['503 with Retry-After', { status: 503, headers: { 'Retry-After': '120' }, body: '' }, 120, /HTTP 503/],
  ];
  for (const [what, reply, wait, error] of cases) {
    rmSync(stateFile(), { force: true });
    answer = reply;
    const lines = await check(cert);
    assert.equal(lines.at(-1), 'not-due', what);
    assert.ok(
      lines.some((line) => line.startsWith('warning ARI: no usable renewal window from the CA: ')),
      `${what}: ${lines.join('\n')}`,
    );
    const state = readState();
    assert.match(state.ari!.error!, error, what);
    assert.equal(state.ari!.consecutiveErrors, 1, what);
    assert.equal(state.ari!.nextCheckAt - state.ari!.checkedAt, wait, what);
    assert.equal(state.ari!.window, null, what);
    assert.equal(state.plannedRenewalAt, state.notAfter - 30 * day, `${what}: the backstop plans the renewal`);
  }
  // Temporary errors in a row back off 1 min, 10 min, 100 min, then a day.
  rmSync(stateFile(), { force: true });
  answer = { status: 500, body: '' };
  const waits = [];
  for (let i = 0; i < 5; i++) {
    await check(cert);
    const state = readState();
    waits.push(state.ari!.nextCheckAt - state.ari!.checkedAt);
    writeFileSync(stateFile(), JSON.stringify({ ...state, ari: { ...state.ari, nextCheckAt: 0 } }));
  }
  assert.deepEqual(waits, [60, 600, 6000, 86400, 86400]);
  assert.equal(readState().ari!.consecutiveErrors, 5);
  // A good answer afterwards resets the count.
  answer = windowAnswer(now() + 5 * day, now() + 6 * day);
  await check(cert);
  assert.deepEqual([readState().ari!.error, readState().ari!.consecutiveErrors], [null, 0]);
});

test('a CA that cannot be reached (connection refused) is a long-term error: asked again in 6 hours', async () => {
  const cert = leaf('ca', 'refused.pem', -10 * day, 80 * day);
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as { port: number }).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const lines = await check(cert, { url: `http://127.0.0.1:${port}/dir` });
  assert.equal(lines.at(-1), 'not-due');
  assert.match(readState().ari!.error!, /cannot reach/);
  assert.equal(readState().ari!.nextCheckAt - readState().ari!.checkedAt, 6 * 3600);
});

test('a CA that does not answer within 10 s is a temporary error (1 minute); an unreadable acme_ca_file a long-term one', async () => {
  const cert = leaf('ca', 'slow.pem', -10 * day, 80 * day);
  const silent = createServer(() => {}); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const lines = await check(cert, { url: `http://127.0.0.1:${(silent.address() as { port: number }).port}/dir` });
  silent.closeAllConnections();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  assert.equal(lines.at(-1), 'not-due');
  assert.match(readState().ari!.error!, /within 10 s/);
  assert.equal(readState().ari!.nextCheckAt - readState().ari!.checkedAt, 60);
  rmSync(stateFile());
  const missing = await helperRun([
    'check',
    'www.example.test',
    cert,
    stateDir(),
    directoryUrl,
    String(interval),
    String(30 * day),
    join(dir, 'no-such-ca.pem'),
  ]);
  assert.equal(missing.at(-1), 'not-due');
  assert.match(readState().ari!.error!, /cannot read the trust anchors/);
  assert.equal(readState().ari!.nextCheckAt - readState().ari!.checkedAt, 6 * 3600);
});

test('not asked: a directory without renewalInfo, an expired certificate, a certificate without an authority key identifier', async () => {
  const cert = leaf('ca', 'plain.pem', -10 * day, 80 * day);
  answer = windowAnswer(now() - 3600, now() - 1800);
  advertise = false;
  const lines = await check(cert);
  assert.deepEqual(lines, ["info ARI: the CA's directory has no renewalInfo: its renewal window is not asked", 'not-due']);
  assert.equal(readState().ari, null);
  advertise = true;
  const expired = leaf('ca', 'expired.pem', -10 * day, -60);
  assert.deepEqual(await check(expired, { renewBefore: 3 * day }), [
    `info ARI: not asked: the certificate expired at ${rfc3339(readState().notAfter)}`,
    'not-due',
  ]);
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'noaki.key',
    '-out',
    'noaki.pem',
    '-subj',
    '/CN=x',
    '-addext',
    'authorityKeyIdentifier=none',
  );
  const noAki = await check(join(dir, 'noaki.pem'));
  assert.deepEqual(noAki, ['info ARI: not asked: the certificate has no authority key identifier', 'not-due']);
  assert.deepEqual(gets, []);
});

test('record: a renewal replaces the certificate in the state (its ARI state dropped: the new one is asked next run), failures are counted', async () => {
  const old = leaf('ca', 'old.pem', -60 * day, 30 * day);
  answer = windowAnswer(now() - 7200, now() - 3600);
  await check(old);
  assert.notEqual(readState().ari, null);
  const record = (cert: string, outcome: string, reason: string, error = '') =>
    helperRun(['record', 'www.example.test', cert, stateDir(), String(30 * day), outcome, reason, error]);
  assert.deepEqual(await record(old, 'failed', 'the CA asked (ARI)', 'www.example.test: acme-tiny failed 2 time(s)'), []);
  let state = readState();
  assert.equal(state.consecutiveFailures, 1);
  assert.deepEqual(
    { ...state.lastAttempt, at: 0 },
    { at: 0, outcome: 'failed', reason: 'the CA asked (ARI)', error: 'www.example.test: acme-tiny failed 2 time(s)' },
  );
  assert.notEqual(state.ari, null, 'still the same certificate: its ARI state stays');
  const renewed = leaf('ca', 'new.pem', -60, 90 * day);
  await record(renewed, 'renewed', 'the CA asked (ARI)');
  state = readState();
  assert.equal(`serial=${state.serial}`, openssl('x509', '-in', renewed, '-noout', '-serial').trim());
  assert.equal(state.ari, null);
  assert.deepEqual([state.consecutiveFailures, state.lastAttempt!.outcome, state.lastAttempt!.error], [0, 'renewed', null]);
  assert.ok(Math.abs(state.lastRenewal! - now()) < 5);
  assert.equal(state.plannedRenewalAt, state.notAfter - 30 * day);
  await record(renewed, 'not-due', 'not due');
  assert.deepEqual([readState().consecutiveFailures, readState().lastRenewal], [0, state.lastRenewal]);
  // The next check asks about the new certificate only.
  gets = [];
  answer = windowAnswer(now() + 50 * day, now() + 51 * day);
  await check(renewed);
  assert.deepEqual(gets, [ariCertId(renewed)]);
});

test('never crashes: a garbage state file is started again, an unsafe state directory is not written, an unreadable certificate is "no ARI"', async () => {
  const cert = leaf('ca', 'safe.pem', -60 * day, 30 * day);
  answer = windowAnswer(now() - 7200, now() - 3600);
  writeFileSync(stateFile(), '{"version": 1, "ari": ');
  const lines = await check(cert);
  assert.ok(lines.some((line) => line.startsWith('warning ARI: cannot read ')));
  assert.match(lines.at(-1)!, /^due /);
  assert.equal(readState().version, 1);
  // A state whose ARI part has the wrong types (edited by hand): dropped, the CA asked again.
  writeFileSync(stateFile(), JSON.stringify({ ...readState(), ari: { ...readState().ari, nextCheckAt: 'tomorrow', window: { start: 'x' } } }));
  const before = gets.length;
  assert.match((await check(cert)).at(-1)!, /^due /);
  assert.equal(gets.length, before + 1);
  assert.equal(typeof readState().ari!.nextCheckAt, 'number');
  rmSync(stateFile());
  chmodSync(stateDir(), 0o777);
  const unsafe = await check(cert);
  assert.ok(
    unsafe.some((line) => /^warning ARI: cannot write the renewal state in .*: .* is not a directory only root can write$/.test(line)),
    unsafe.join('\n'),
  );
  assert.match(unsafe.at(-1)!, /^due /, 'the verdict stands');
  chmodSync(stateDir(), 0o755);
  writeFileSync(join(dir, 'garbage.pem'), '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const garbage = await check(join(dir, 'garbage.pem'));
  assert.equal(garbage.at(-1), 'not-due');
  assert.ok(garbage.some((line) => line.startsWith('warning ARI: not used this run: ')));
  assert.deepEqual(await helperRun(['bogus']), ['err ARI helper: usage: ari.py check|record|metrics|cert-id ...']);
});
