// `ari.py metrics` (roles/letsencrypt/files/ari.py), the renewal script's metrics file for
// node_exporter's textfile collector, run by the real python3 on certificates made by the real openssl
// and state files as `ari.py record` writes them. The daemons are stand-ins of this test (node's TLS,
// on loopback): a TLS port and an SMTP and an IMAP one that speak just enough of the protocol for
// STARTTLS, each presenting the certificate asked for by SNI (www.example.test) and another one for
// any other name, so a match also says the helper sent the right SNI name. promtool (Debian package
// prometheus) checks the written file.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createTcpServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { createSecureContext, createServer as createTlsServer, TLSSocket } from 'node:tls';
import type { SecureContext } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { projectRoot } from '../helpers/cli.js';

const helper = join(projectRoot, 'roles/letsencrypt/files/ari.py');
const run = promisify(execFile);
const name = 'www.example.test';
let dir = '';
const servers: Server[] = [];
let tlsPort = 0;
let smtpPort = 0;
let imapPort = 0;

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
/** A self-signed certificate for www.example.test, valid for `days` days: FILE.pem and FILE.key. */
function certificate(file: string, days: number): string {
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    `${file}.key`,
    '-out',
    `${file}.pem`,
    '-subj',
    `/CN=${name}`,
    '-days',
    String(days),
  );
  return join(dir, `${file}.pem`);
}
const epoch = (file: string, field: 'startdate' | 'enddate') =>
  Math.floor(Date.parse(openssl('x509', '-in', file, '-noout', `-${field}`).split('=')[1]!.trim()) / 1000);

let served: SecureContext;
let other: SecureContext;
const tlsOptions = () => ({
  SNICallback: (servername: string, callback: (e: Error | null, c: SecureContext) => void) => callback(null, servername === name ? served : other),
});

function listen(server: Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
}
/** A plain-text server that greets, answers each line with reply(line), and starts TLS after `go`. */
function starttlsServer(greeting: string, reply: (line: string) => { text: string; tls?: boolean }): Server {
  return createTcpServer((socket: Socket) => {
    socket.write(greeting);
    let buffer = '';
    const onData = (data: Buffer) => {
      buffer += data.toString('latin1');
      let end;
      while ((end = buffer.indexOf('\r\n')) >= 0) {
        const line = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const answer = reply(line);
        socket.write(answer.text);
        if (answer.tls) {
          socket.removeListener('data', onData);
          const secure = new TLSSocket(socket, { isServer: true, ...tlsOptions() });
          secure.on('error', () => socket.destroy());
          return;
        }
      }
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ari-metrics-test-'));
  certificate('served', 90);
  certificate('other', 90);
  served = createSecureContext({ cert: readFileSync(join(dir, 'served.pem')), key: readFileSync(join(dir, 'served.key')) });
  other = createSecureContext({ cert: readFileSync(join(dir, 'other.pem')), key: readFileSync(join(dir, 'other.key')) });
  tlsPort = await listen(createTlsServer(tlsOptions(), (socket) => socket.on('error', () => socket.destroy())));
  smtpPort = await listen(
    starttlsServer('220 mx ESMTP\r\n', (line) =>
      /^EHLO /i.test(line)
        ? { text: '250-mx\r\n250 STARTTLS\r\n' }
        : /^STARTTLS$/i.test(line)
          ? { text: '220 go ahead\r\n', tls: true }
          : { text: '502 no\r\n' },
    ),
  );
  imapPort = await listen(
    starttlsServer('* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n', (line) =>
      line === 'a1 STARTTLS' ? { text: 'a1 OK begin TLS\r\n', tls: true } : { text: `${line.split(' ')[0]} BAD\r\n` },
    ),
  );
});
after(async () => {
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

/** A host: CERTS/NAME/fullchain.pem (a copy of `cert`), STATE, and the collector's directory METRICS (0755). */
function host(cert: string, state?: object): { certs: string; state: string; metrics: string } {
  const root = mkdtempSync(join(dir, 'host-'));
  const paths = { certs: join(root, 'certs'), state: join(root, 'state'), metrics: join(root, 'node-exporter') };
  mkdirSync(join(paths.certs, name), { recursive: true });
  writeFileSync(join(paths.certs, name, 'fullchain.pem'), readFileSync(cert));
  mkdirSync(paths.state);
  mkdirSync(paths.metrics, { mode: 0o755 });
  chmodSync(paths.metrics, 0o755);
  if (state) writeFileSync(join(paths.state, `${name}.json`), JSON.stringify(state));
  return paths;
}
async function metrics(paths: { certs: string; state: string; metrics: string }, endpoints: string[]): Promise<string[]> {
  const { stdout } = await run('/usr/bin/python3', [helper, 'metrics', paths.metrics, paths.state, paths.certs, name, endpoints.join('\n')]);
  return stdout.split('\n').filter((line) => line !== '');
}
const file = (paths: { metrics: string }) => join(paths.metrics, 'letsencrypt.prom');
/** The samples of the written file: "family{labels}" -> value. */
function samples(paths: { metrics: string }): Map<string, string> {
  return new Map(
    readFileSync(file(paths), 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => [line.slice(0, line.lastIndexOf(' ')), line.slice(line.lastIndexOf(' ') + 1)]),
  );
}
const id = `certificate="${name}"`;

test('ari.py metrics: the dates of the installed certificate and its renewal state, served_matches_installed per endpoint (TLS, SMTP and IMAP STARTTLS, by SNI); promtool accepts the file, written 0644 with no temp file left', async () => {
  const cert = join(dir, 'served.pem');
  const state = {
    version: 1,
    certificate: name,
    serial: null,
    notBefore: null,
    notAfter: null,
    ari: null,
    plannedRenewalAt: 1900000000,
    lastAttempt: { at: 1800000000, outcome: 'failed', reason: 'due', error: 'x' },
    lastRenewal: 1700000000,
    consecutiveFailures: 2,
  };
  const paths = host(cert, state);
  const lines = await metrics(paths, [
    `${name} ${tlsPort} none ${name} apache2`,
    `${name} ${smtpPort} smtp ${name} postfix`,
    `${name} ${imapPort} imap ${name} dovecot imaps`,
  ]);
  assert.deepEqual(lines, []);
  const got = samples(paths);
  assert.deepEqual(Object.fromEntries(got), {
    [`provision_certificate_expiration_timestamp_seconds{${id}}`]: String(epoch(cert, 'enddate')),
    [`provision_certificate_not_before_timestamp_seconds{${id}}`]: String(epoch(cert, 'startdate')),
    [`provision_certificate_renewal_timestamp_seconds{${id}}`]: '1900000000',
    [`provision_certificate_renewal_last_attempt_timestamp_seconds{${id}}`]: '1800000000',
    [`provision_certificate_renewal_last_success_timestamp_seconds{${id}}`]: '1700000000',
    [`provision_certificate_renewal_consecutive_failures{${id}}`]: '2',
    [`provision_certificate_served_matches_installed{${id},service="apache2",port="${tlsPort}"}`]: '1',
    [`provision_certificate_served_matches_installed{${id},service="postfix",port="${smtpPort}"}`]: '1',
    [`provision_certificate_served_matches_installed{${id},service="dovecot imaps",port="${imapPort}"}`]: '1',
  });
  execFileSync('promtool', ['check', 'metrics'], { input: readFileSync(file(paths)), stdio: ['pipe', 'pipe', 'pipe'] });
  assert.equal((statSync(file(paths)).mode & 0o777).toString(8), '644');
  assert.deepEqual(readdirSync(paths.metrics), ['letsencrypt.prom']);
});

test('ari.py metrics: another certificate served is 0 with a warning (asked again first); nothing answering is no sample and an info line; no state yet: the renewal at two thirds of the lifetime', async () => {
  const installed = certificate('installed', 90);
  const paths = host(installed);
  const refused = await listen(createTcpServer((socket) => socket.destroy()));
  const lines = await metrics(paths, [`${name} ${tlsPort} none ${name} apache2`, `${name} ${refused} none ${name} nginx`]);
  assert.ok(
    lines.includes(`warning metrics: ${name}: apache2 on port ${tlsPort} presents another certificate than the installed one (not reloaded?)`),
    lines.join('\n'),
  );
  assert.ok(
    lines.some((line) => line.startsWith(`info metrics: ${name}: nothing answered as nginx on port ${refused} (`)),
    lines.join('\n'),
  );
  const got = samples(paths);
  assert.equal(got.get(`provision_certificate_served_matches_installed{${id},service="apache2",port="${tlsPort}"}`), '0');
  assert.equal([...got.keys()].filter((key) => key.includes('nginx')).length, 0);
  const [from, to] = [epoch(installed, 'startdate'), epoch(installed, 'enddate')];
  assert.equal(got.get(`provision_certificate_renewal_timestamp_seconds{${id}}`), String(to - Math.floor((to - from) / 3)));
  assert.equal(got.get(`provision_certificate_renewal_consecutive_failures{${id}}`), '0');
  assert.equal(got.has(`provision_certificate_renewal_last_success_timestamp_seconds{${id}}`), false, 'never renewed: no sample');
  execFileSync('promtool', ['check', 'metrics'], { input: readFileSync(file(paths)), stdio: ['pipe', 'pipe', 'pipe'] });
});

test('ari.py metrics: a missing directory is an info line; one others can write, or a link, a warning; neither is written into', async () => {
  const paths = host(join(dir, 'served.pem'));
  rmSync(paths.metrics, { recursive: true });
  assert.deepEqual(await metrics(paths, []), [`info metrics: ${paths.metrics} does not exist (no node_exporter textfile collector): no metrics file written`]);
  mkdirSync(paths.metrics);
  chmodSync(paths.metrics, 0o777);
  const unsafe = `warning metrics: ${paths.metrics} is not a directory only root can write (a link, another owner, or group/other-writable): no metrics file written`;
  assert.deepEqual(await metrics(paths, []), [unsafe]);
  assert.deepEqual(readdirSync(paths.metrics), []);
  chmodSync(paths.metrics, 0o755);
  const real = `${paths.metrics}.real`;
  execFileSync('mv', [paths.metrics, real]);
  symlinkSync(real, paths.metrics);
  assert.deepEqual(await metrics(paths, []), [unsafe]);
  assert.deepEqual(readdirSync(real), []);
});
