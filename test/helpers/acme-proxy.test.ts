// The ACME proxy (acme-proxy.ts) in front of the real Pebble, driven by the real acme-tiny and by
// python3's urllib (what the renewal script on a host uses): it must be faithful, because the renewal
// tests rely on it to stand in for Let's Encrypt. Pebble validates HTTP-01 for real against a
// challenge server of this test; acme-tiny trusts the proxy's TLS CA through SSL_CERT_FILE.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ariWindow, startAcmeProxy } from './acme-proxy.js';
import type { AcmeProxy } from './acme-proxy.js';
import { ariCertId, certIdFromText } from './ari-cert-id.js';
import { fetchText, freePort, startPebble } from './pebble.js';
import type { Pebble } from './pebble.js';
import { makeTlsCa } from './tls-ca.js';
import type { TlsFiles } from './tls-ca.js';

let dir = '';
let tls: TlsFiles;
let pebble: Pebble | undefined;
let proxy: AcmeProxy | undefined;
let challenges: Server | undefined;
const acmeDir = () => join(dir, 'challenges');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'acme-proxy-test-'));
  tls = makeTlsCa(dir);
  mkdirSync(acmeDir());
  // What Pebble's HTTP-01 validation fetches: the token files acme-tiny writes.
  challenges = createServer((request, response) => {
    const token = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(request.url ?? '')?.[1];
    const file = token && join(acmeDir(), token);
    if (!file || !existsSync(file)) return void response.writeHead(404).end();
    response.writeHead(200, { 'Content-Type': 'text/plain' }).end(readFileSync(file));
  });
  const httpPort = await freePort();
  await new Promise<void>((resolve) => challenges!.listen(httpPort, '127.0.0.1', resolve));
  pebble = await startPebble(dir, tls, { httpPort });
  writeFileSync(join(dir, 'pebble-root.pem'), await pebble.root());
  proxy = await startAcmeProxy({ upstream: pebble.origin, caFile: tls.caFile, certFile: tls.certFile, keyFile: tls.keyFile });
  execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', join(dir, 'account.key')], { stdio: 'pipe' });
});

after(async () => {
  await proxy?.close();
  await pebble?.stop();
  await new Promise((resolve) => (challenges ? challenges.close(resolve) : resolve(undefined)));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A key and a CSR for NAME in the test directory. */
function csrFor(name: string): string {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  execFileSync(
    'openssl',
    [
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-subj',
      `/CN=${name}`,
      '-addext',
      `subjectAltName=DNS:${name}`,
      '-out',
      csr,
    ],
    { stdio: 'pipe' },
  );
  return csr;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** The real acme-tiny through the proxy; its stdout (the chain) is in the result. */
function acmeTiny(csr: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(
    'acme-tiny',
    ['--account-key', join(dir, 'account.key'), '--csr', csr, '--acme-dir', acmeDir(), '--disable-check', '--directory-url', proxy!.directoryUrl, ...extra],
    { SSL_CERT_FILE: tls.caFile },
  );
}

/** Writes acme-tiny's chain; true when the leaf verifies against Pebble's root. */
function verifies(chain: string, name: string): boolean {
  const file = join(dir, `${name}.chain.pem`);
  writeFileSync(file, chain);
  const leaf = join(dir, `${name}.crt`);
  writeFileSync(leaf, `${chain.split('-----END CERTIFICATE-----')[0]}-----END CERTIFICATE-----\n`);
  try {
    execFileSync('openssl', ['verify', '-CAfile', join(dir, 'pebble-root.pem'), '-untrusted', file, leaf], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

/** GET URL with python3's urllib, trusting the proxy's TLS CA, as the host's renewal script would (async: the proxy runs in this process). */
async function pythonGet(url: string): Promise<{ status: number; retryAfter: string | null; body: string }> {
  const script = [
    'import json, ssl, sys, urllib.error, urllib.request',
    'context = ssl.create_default_context(cafile=sys.argv[2])',
    'try:',
    '    r = urllib.request.urlopen(sys.argv[1], context=context, timeout=10)',
    'except urllib.error.HTTPError as e:',
    '    r = e',
    'print(json.dumps({"status": r.status, "retryAfter": r.headers.get("Retry-After"), "body": r.read().decode()}))',
  ].join('\n');
  const { stdout } = await run('/usr/bin/python3', ['-c', script, url, tls.caFile]);
  return JSON.parse(stdout) as { status: number; retryAfter: string | null; body: string };
}

/** POST (a junk JWS) with python3's urllib: the status, Retry-After, Content-Type, Replay-Nonce and body. */
async function pythonPost(url: string): Promise<{ status: number; retryAfter: string | null; contentType: string | null; nonce: string | null; body: string }> {
  const script = [
    'import json, ssl, sys, urllib.error, urllib.request',
    'context = ssl.create_default_context(cafile=sys.argv[2])',
    'req = urllib.request.Request(sys.argv[1], data=b"{}", headers={"Content-Type": "application/jose+json"})',
    'try:',
    '    r = urllib.request.urlopen(req, context=context, timeout=10)',
    'except urllib.error.HTTPError as e:',
    '    r = e',
    'h = r.headers',
    'print(json.dumps({"status": r.status, "retryAfter": h.get("Retry-After"), "contentType": h.get("Content-Type"), "nonce": h.get("Replay-Nonce"), "body": r.read().decode()}))',
  ].join('\n');
  const { stdout } = await run('/usr/bin/python3', ['-c', script, url, tls.caFile]);
  return JSON.parse(stdout) as { status: number; retryAfter: string | null; contentType: string | null; nonce: string | null; body: string };
}

async function directory(): Promise<Record<string, string>> {
  const answer = await fetchText(proxy!.directoryUrl, tls.caFile);
  assert.equal(answer.status, 200);
  return JSON.parse(answer.body) as Record<string, string>;
}

test("the proxy is Pebble with the proxy's URLs: every URL of the directory is the proxy's, and acme-tiny gets a certificate that verifies against Pebble's root", async () => {
  proxy!.set({});
  const dirJson = await directory();
  for (const key of ['newAccount', 'newNonce', 'newOrder', 'revokeCert', 'keyChange'])
    assert.ok(dirJson[key]!.startsWith(`${proxy!.origin}/`), `${key}: ${dirJson[key]}`);
  assert.equal(dirJson.renewalInfo, undefined, 'no ARI unless the test sets it (as Pebble 2.4.0)');
  const issued = await acmeTiny(csrFor('plain.proxy.test'));
  assert.equal(issued.code, 0, issued.stderr);
  assert.equal(issued.stdout.match(/BEGIN CERTIFICATE/g)?.length, 2, 'leaf and intermediate');
  assert.ok(verifies(issued.stdout, 'plain.proxy.test'));
});

test("contact dropped from account objects (as Let's Encrypt since 2025-06-04): acme-tiny --contact dies with KeyError: 'contact'; without --contact it succeeds; Pebble alone echoes contact", async () => {
  proxy!.set({ dropContact: true });
  const withContact = await acmeTiny(csrFor('contact.proxy.test'), ['--contact', 'mailto:a@example.org']);
  assert.notEqual(withContact.code, 0);
  assert.match(withContact.stderr, /KeyError: 'contact'/);
  const without = await acmeTiny(csrFor('nocontact.proxy.test'));
  assert.equal(without.code, 0, without.stderr);
  assert.ok(verifies(without.stdout, 'nocontact.proxy.test'));

  // The same with Pebble's own answer: --contact works, so the proxy is what makes the difference.
  proxy!.set({});
  const echoed = await acmeTiny(csrFor('echoed.proxy.test'), ['--contact', 'mailto:a@example.org']);
  assert.equal(echoed.code, 0, echoed.stderr);
  assert.match(echoed.stderr, /mailto:a@example\.org/, 'acme-tiny printed the contact Pebble echoed');
});

test('ARI: the directory advertises renewalInfo; GET renewalInfo/<certID> answers the window the test set, with Retry-After and explanationURL; each broken answer is what was set; certIDs asked are recorded', async () => {
  proxy!.set({});
  const issued = await acmeTiny(csrFor('ari.proxy.test'));
  assert.equal(issued.code, 0, issued.stderr);
  verifies(issued.stdout, 'ari.proxy.test');
  const leaf = join(dir, 'ari.proxy.test.crt');
  const certId = ariCertId(leaf);
  assert.equal(certId, certIdFromText(leaf), 'from the DER and from openssl -serial/-ext: the same CertID');
  assert.match(certId, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'unpadded base64url');

  const future = ariWindow(86_400, 2 * 86_400);
  const past = ariWindow(-3600, -1800);
  const invalid = ariWindow(2 * 86_400, 86_400);
  proxy!.set({
    ari: { default: { status: 404 }, byCertId: { [certId]: { window: future, retryAfter: 21_600, explanationURL: 'https://example.org/incident' } } },
  });
  const renewalInfo = (await directory()).renewalInfo;
  assert.ok(renewalInfo?.startsWith(`${proxy!.origin}/`), `renewalInfo advertised: ${renewalInfo}`);
  const url = `${renewalInfo}/${certId}`;
  const first = await pythonGet(url);
  assert.equal(first.status, 200);
  assert.equal(first.retryAfter, '21600');
  assert.deepEqual(JSON.parse(first.body), { suggestedWindow: future, explanationURL: 'https://example.org/incident' });

  const answers: [string, Parameters<AcmeProxy['set']>[0], { status: number; retryAfter: string | null; body?: unknown; type?: string }][] = [
    ['window in the past', { ari: { default: { window: past } } }, { status: 200, retryAfter: null, body: { suggestedWindow: past } }],
    [
      'invalid window (end before start)',
      { ari: { default: { window: invalid, retryAfter: 60 } } },
      { status: 200, retryAfter: '60', body: { suggestedWindow: invalid } },
    ],
    ['404', { ari: { default: { status: 404 } } }, { status: 404, retryAfter: null, type: 'urn:ietf:params:acme:error:malformed' }],
    [
      '500 with Retry-After',
      { ari: { default: { status: 500, retryAfter: 120 } } },
      { status: 500, retryAfter: '120', type: 'urn:ietf:params:acme:error:serverInternal' },
    ],
  ];
  for (const [what, behaviour, expected] of answers) {
    proxy!.set(behaviour);
    const got = await pythonGet(url);
    assert.equal(got.status, expected.status, what);
    assert.equal(got.retryAfter, expected.retryAfter, what);
    if (expected.body) assert.deepEqual(JSON.parse(got.body), expected.body, what);
    if (expected.type) assert.equal((JSON.parse(got.body) as { type: string }).type, expected.type, what);
  }
  proxy!.set({ ari: { default: { body: '{"suggestedWindow": {"start": ', retryAfter: 30 } } });
  const malformed = await pythonGet(url);
  assert.deepEqual([malformed.status, malformed.retryAfter, malformed.body], [200, '30', '{"suggestedWindow": {"start": ']);
  assert.throws(() => JSON.parse(malformed.body), SyntaxError, 'malformed JSON, as set');
  proxy!.set({ ari: { byCertId: { [certId]: { window: future } } } });
  assert.equal((await pythonGet(`${renewalInfo}/AAAA.AQ`)).status, 404, 'a certID the test set no answer for: 404');
  assert.deepEqual(proxy!.seen.certIds, [...Array(6).fill(certId), 'AAAA.AQ']);
});

test('new-order answered 429 rateLimited or 503, with Retry-After: acme-tiny fails with that error after one new-order; cleared, it succeeds again', async () => {
  const csr = csrFor('limited.proxy.test');
  for (const [status, type] of [
    [429, 'urn:ietf:params:acme:error:rateLimited'],
    [503, 'urn:ietf:params:acme:error:serverInternal'],
  ] as const) {
    proxy!.set({ newOrder: { status, retryAfter: 3600 } });
    const before = proxy!.seen.newOrders;
    const refused = await acmeTiny(csr);
    assert.notEqual(refused.code, 0, `${status}: acme-tiny must fail`);
    assert.match(
      refused.stderr,
      new RegExp(`ValueError: Error creating new order:[^]*Response Code: ${status}\nResponse: \\{'type': '${type}'`),
      refused.stderr,
    );
    assert.equal(refused.stdout, '', 'no certificate');
    assert.equal(proxy!.seen.newOrders - before, 1, 'one new-order asked');
    // acme-tiny does not print headers: what a client reads from the answer itself.
    const raw = await pythonPost((await directory()).newOrder!);
    assert.deepEqual(
      [raw.status, raw.retryAfter, raw.contentType, (JSON.parse(raw.body) as { type: string }).type],
      [status, '3600', 'application/problem+json', type],
    );
    assert.match(raw.nonce ?? '', /^[A-Za-z0-9_-]+$/, 'a fresh Replay-Nonce, as on every ACME POST answer');
  }
  proxy!.set({});
  const issued = await acmeTiny(csr);
  assert.equal(issued.code, 0, issued.stderr);
  assert.ok(verifies(issued.stdout, 'limited.proxy.test'));
});

test("the CertID helper gives RFC 9773's own example: AKI 69:88:5B:...:C8:D4 and serial 0x87654321 (top bit set, so a 00 byte first) are aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", () => {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'rfc-ca.key',
    '-out',
    'rfc-ca.pem',
    '-subj',
    '/CN=rfc ca',
    '-days',
    '2',
    '-addext',
    'subjectKeyIdentifier=69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4',
  );
  openssl(
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'rfc-leaf.key',
    '-subj',
    '/CN=rfc.example',
    '-out',
    'rfc-leaf.csr',
  );
  writeFileSync(join(dir, 'rfc.ext'), 'authorityKeyIdentifier=keyid\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'rfc-leaf.csr',
    '-CA',
    'rfc-ca.pem',
    '-CAkey',
    'rfc-ca.key',
    '-set_serial',
    '0x87654321',
    '-extfile',
    'rfc.ext',
    '-days',
    '2',
    '-out',
    'rfc-leaf.pem',
  );
  assert.equal(ariCertId(join(dir, 'rfc-leaf.pem')), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
  assert.equal(certIdFromText(join(dir, 'rfc-leaf.pem')), 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE');
});

test(
  'as its own process (for shell tests in a namespace): set through the control port, it answers ARI, drops contact, and reports what it saw; stopped by its PID',
  { timeout: 60_000 },
  async () => {
    const [port, control] = [await freePort(), await freePort()];
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(import.meta.dirname, 'acme-proxy.ts'),
        '--upstream',
        pebble!.origin,
        '--ca',
        tls.caFile,
        '--cert',
        tls.certFile,
        '--key',
        tls.keyFile,
        '--listen',
        `127.0.0.1:${port}`,
        '--control',
        `127.0.0.1:${control}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('ready') && resolve());
        child.once('exit', (code) => reject(new Error(`acme-proxy exited ${code}`)));
      });
      const window = ariWindow(-600, -60);
      const put = await fetch(`http://127.0.0.1:${control}/behaviour`, {
        method: 'PUT',
        body: JSON.stringify({ dropContact: true, ari: { default: { window, retryAfter: 600 } } }),
      });
      assert.equal(put.status, 204);
      const directoryUrl = `https://127.0.0.1:${port}/dir`;
      const dirJson = JSON.parse((await fetchText(directoryUrl, tls.caFile)).body) as Record<string, string>;
      assert.equal(dirJson.renewalInfo, `https://127.0.0.1:${port}/renewal-info`);
      const got = await pythonGet(`${dirJson.renewalInfo}/AAAA.AQ`);
      assert.deepEqual([got.status, got.retryAfter, JSON.parse(got.body)], [200, '600', { suggestedWindow: window }]);
      const tiny = (extra: string[]) =>
        run(
          'acme-tiny',
          [
            '--account-key',
            join(dir, 'account.key'),
            '--csr',
            csrFor('standalone.proxy.test'),
            '--acme-dir',
            acmeDir(),
            '--disable-check',
            '--directory-url',
            directoryUrl,
            ...extra,
          ],
          { SSL_CERT_FILE: tls.caFile },
        );
      assert.match((await tiny(['--contact', 'mailto:a@example.org'])).stderr, /KeyError: 'contact'/);
      const issued = await tiny([]);
      assert.equal(issued.code, 0, issued.stderr);
      assert.ok(verifies(issued.stdout, 'standalone.proxy.test'));
      assert.deepEqual(await (await fetch(`http://127.0.0.1:${control}/seen`)).json(), { certIds: ['AAAA.AQ'], newOrders: 1 });
    } finally {
      if (child.exitCode === null) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        process.kill(child.pid!, 'SIGTERM');
        await gone;
      }
    }
  },
);
