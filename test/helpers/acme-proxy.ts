// An ACME proxy for the tests. It stands in for CA behaviours the packaged Pebble 2.4.0 lacks, in
// front of the REAL Pebble (test/helpers/pebble.ts), per test:
//   - account objects without `contact` (Let's Encrypt no longer echoes it since 2025-06-04, which
//     makes acme-tiny 5.0.1 `--contact` die with KeyError: 'contact'; shared/docs/ca-2026.md);
//   - ARI (RFC 9773): `renewalInfo` in the directory, and GET renewalInfo/<certID> answered with what
//     the test sets (a window, malformed JSON, any status, Retry-After, explanationURL); the certIDs
//     asked are recorded (Pebble 2.4.0 has no ARI endpoint; 2.6+ has, not packaged);
//   - new-order answered 503 + Retry-After or 429 urn:ietf:params:acme:error:rateLimited (counted).
// Everything else is Pebble's own answer, untouched.
//
// The JWS `url` check: a client signs the URL it posts to (the proxy's), and Pebble compares the
// protected header's `url` with the URL of the request it received; a signed header cannot be
// rewritten. Pebble takes that URL, and every URL it hands out (directory, Location, Link, order,
// authorization and certificate URLs), from the request's Host header (and https, as it got TLS):
// so the proxy forwards each request to Pebble over TLS under the same path with the client's Host
// header unchanged (127.0.0.1:PROXY-PORT). Pebble's URLs are then the proxy's, the signed `url`
// matches, and no body or header needs rewriting. Seen with Pebble 2.4.0, and checked by the proxy's
// test (every URL of the directory is the proxy's; acme-tiny's signed requests are accepted through
// it). Request bodies are forwarded byte for byte; no network namespace trick is needed.
//
// The proxy serves the same TLS certificate as Pebble (tls-ca.ts, localhost and 127.0.0.1), so a
// client that trusts Pebble's TLS CA (SSL_CERT_FILE for acme-tiny) trusts it too.
//
// Run in-process (startAcmeProxy) or as its own process, for a shell test in a namespace:
//   node --import tsx test/helpers/acme-proxy.ts --upstream https://127.0.0.1:14000 --ca TLSCA.pem \
//     --cert CRT --key KEY --listen 127.0.0.1:14001 --control 127.0.0.1:14002
// prints `ready` on stdout; PUT http://CONTROL/behaviour with a JSON Behaviour sets what it does;
// GET http://CONTROL/seen answers {"certIds": [...], "newOrders": N}.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer, request } from 'node:https';
import { pathToFileURL } from 'node:url';

/** What GET renewalInfo/<certID> answers. */
export type AriReply =
  /** 200 with this suggested window (RFC 3339 strings; end before start makes an invalid window) */
  | { window: { start: string; end: string }; explanationURL?: string; retryAfter?: number | string }
  /** this raw body (malformed JSON...) with this status, 200 unless given */
  | { body: string; status?: number; retryAfter?: number | string }
  /** this status with an ACME problem document (404, 500...) */
  | { status: number; retryAfter?: number | string };

export interface Behaviour {
  /** drop `contact` from every account object, as Let's Encrypt does */
  dropContact?: boolean;
  /** advertise renewalInfo; a certID without an answer of its own gets `default`, else 404 */
  ari?: { default?: AriReply; byCertId?: Record<string, AriReply> };
  /** answer every new-order with this error instead of forwarding it */
  newOrder?: { status: 429 | 503; retryAfter?: number | string; detail?: string };
}

export interface Seen {
  /** certIDs asked, in order */
  certIds: string[];
  /** new-order requests received (answered by the proxy or forwarded) */
  newOrders: number;
}

export interface AcmeProxy {
  /** https://127.0.0.1:PORT/dir: the directory URL clients use */
  directoryUrl: string;
  origin: string;
  set(behaviour: Behaviour): void;
  seen: Seen;
  close(): Promise<void>;
}

export const renewalInfoPath = '/renewal-info';

/** An ARI window from `startSeconds` to `endSeconds` relative to now (negative: in the past). */
export function ariWindow(startSeconds: number, endSeconds: number, now = Date.now()): { start: string; end: string } {
  const at = (s: number) => new Date(now + s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { start: at(startSeconds), end: at(endSeconds) };
}

function problem(response: ServerResponse, status: number, type: string, detail: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'Content-Type': 'application/problem+json', ...headers });
  response.end(JSON.stringify({ type: `urn:ietf:params:acme:error:${type}`, detail, status }));
}

function readBody(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

function retryAfterHeader(value: number | string | undefined): Record<string, string> {
  return value === undefined ? {} : { 'Retry-After': String(value) };
}

export async function startAcmeProxy(options: {
  upstream: string;
  caFile: string;
  certFile: string;
  keyFile: string;
  host?: string;
  port?: number;
}): Promise<AcmeProxy> {
  const upstream = new URL(options.upstream);
  const ca = readFileSync(options.caFile);
  let behaviour: Behaviour = {};
  const seen: Seen = { certIds: [], newOrders: 0 };
  /** Pebble's paths of the directory's URLs (same on Pebble and here: only the Host differs) */
  let newOrderPath = '/order-plz';
  let newNoncePath = '/nonce-plz';

  function forward(
    incoming: Pick<IncomingMessage, 'url' | 'method' | 'headers'>,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
    return new Promise((resolve, reject) => {
      // The Host stays the client's: Pebble derives every URL, and the JWS url check, from it.
      const outgoing = request(
        { host: upstream.hostname, port: upstream.port, path: incoming.url, method: incoming.method, headers: incoming.headers, ca, servername: 'localhost' },
        (response) => {
          void readBody(response).then((data) => resolve({ status: response.statusCode ?? 502, headers: response.headers, body: data }), reject);
        },
      );
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  }

  /** A fresh nonce from Pebble, for the answers the proxy makes itself (RFC 8555 6.5: every POST response has one). */
  async function freshNonce(incoming: IncomingMessage): Promise<Record<string, string>> {
    const answer = await forward({ url: newNoncePath, method: 'HEAD', headers: { host: incoming.headers.host } }, Buffer.alloc(0));
    const nonce = answer.headers['replay-nonce'];
    return typeof nonce === 'string' ? { 'Replay-Nonce': nonce } : {};
  }

  function answerAri(response: ServerResponse, certId: string): void {
    seen.certIds.push(certId);
    const reply = behaviour.ari?.byCertId?.[certId] ?? behaviour.ari?.default;
    if (!reply) return problem(response, 404, 'malformed', `no renewal information for ${certId}`);
    const headers = { 'Content-Type': 'application/json', ...retryAfterHeader(reply.retryAfter) };
    if ('window' in reply) {
      response.writeHead(200, headers);
      response.end(JSON.stringify({ suggestedWindow: reply.window, ...(reply.explanationURL ? { explanationURL: reply.explanationURL } : {}) }));
    } else if ('body' in reply) {
      response.writeHead(reply.status ?? 200, headers);
      response.end(reply.body);
    } else {
      problem(
        response,
        reply.status,
        reply.status >= 500 ? 'serverInternal' : 'malformed',
        `renewal information answered ${reply.status} by the test`,
        retryAfterHeader(reply.retryAfter),
      );
    }
  }

  async function handle(incoming: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (incoming.url ?? '/').split('?')[0]!;
    if (incoming.method === 'GET' && path.startsWith(`${renewalInfoPath}/`) && behaviour.ari)
      return answerAri(response, decodeURIComponent(path.slice(renewalInfoPath.length + 1)));
    const body = await readBody(incoming);
    if (incoming.method === 'POST' && path === newOrderPath) {
      seen.newOrders++;
      const refusal = behaviour.newOrder;
      if (refusal) {
        const type = refusal.status === 429 ? 'rateLimited' : 'serverInternal';
        const detail = refusal.detail ?? (refusal.status === 429 ? 'too many new orders recently (set by the test)' : 'service unavailable (set by the test)');
        return problem(response, refusal.status, type, detail, { ...retryAfterHeader(refusal.retryAfter), ...(await freshNonce(incoming)) });
      }
    }
    const answer = await forward(incoming, body);
    let out = answer.body;
    const json = /json/.test(String(answer.headers['content-type'] ?? ''));
    if (json && answer.status < 300) {
      const parsed = JSON.parse(out.toString('utf8')) as Record<string, unknown>;
      let changed = false;
      if (path === '/dir') {
        newOrderPath = new URL(String(parsed.newOrder)).pathname;
        newNoncePath = new URL(String(parsed.newNonce)).pathname;
        if (behaviour.ari) {
          parsed.renewalInfo = `https://${incoming.headers.host}${renewalInfoPath}`;
          changed = true;
        }
      }
      // Only account objects have `contact` (RFC 8555 7.1.2).
      if (behaviour.dropContact && 'contact' in parsed) {
        delete parsed.contact;
        changed = true;
      }
      if (changed) out = Buffer.from(JSON.stringify(parsed, null, 2));
    }
    const headers = { ...answer.headers };
    delete headers['content-length'];
    delete headers['transfer-encoding'];
    response.writeHead(answer.status, { ...headers, 'Content-Length': String(out.length) });
    response.end(out);
  }

  const server = createServer({ cert: readFileSync(options.certFile), key: readFileSync(options.keyFile) }, (incoming, response) => {
    handle(incoming, response).catch((error: unknown) => {
      if (!response.headersSent) problem(response, 502, 'serverInternal', `acme-proxy: ${(error as Error).message}`);
      else response.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const origin = `https://${host}:${(server.address() as { port: number }).port}`;
  return {
    directoryUrl: `${origin}/dir`,
    origin,
    set: (next) => {
      behaviour = next;
    },
    seen,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** As its own process: the options in the header; stops on SIGTERM/SIGINT. */
async function main(argv: string[]): Promise<void> {
  const arg = (name: string) => {
    const at = argv.indexOf(`--${name}`);
    if (at < 0 || at + 1 >= argv.length) throw new Error(`acme-proxy: --${name} missing`);
    return argv[at + 1]!;
  };
  const [host, port] = arg('listen').split(':');
  const proxy = await startAcmeProxy({ upstream: arg('upstream'), caFile: arg('ca'), certFile: arg('cert'), keyFile: arg('key'), host, port: Number(port) });
  const [controlHost, controlPort] = arg('control').split(':');
  const control = createHttpServer((incoming, response) => {
    void readBody(incoming).then((body) => {
      if (incoming.method === 'PUT' && incoming.url === '/behaviour') {
        proxy.set(JSON.parse(body.toString('utf8') || '{}') as Behaviour);
        response.writeHead(204).end();
      } else if (incoming.method === 'GET' && incoming.url === '/seen') {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(proxy.seen));
      } else response.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => control.listen(Number(controlPort), controlHost, resolve));
  process.stdout.write('ready\n');
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      control.closeAllConnections();
      control.close();
      void proxy.close().then(() => process.exit(0));
    });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
