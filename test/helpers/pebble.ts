// The real ACME CA of the tests: Debian's Pebble with pebble-challtestsrv as its DNS server (every name
// resolves to 127.0.0.1), on free loopback ports, with real HTTP-01 validation against `httpPort`
// (the test serves the challenge directory there). Every process is started with a parent-death
// signal and stopped by its PID in stop(), also when the test fails.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { get } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TlsFiles } from './tls-ca.js';

export interface Pebble {
  /** https://127.0.0.1:PORT/dir */
  directoryUrl: string;
  /** https://127.0.0.1:PORT, where acme-proxy.ts forwards to */
  origin: string;
  /** Pebble's current root, PEM (new at every start) */
  root(): Promise<string>;
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 now (the OS picks it; another process could take it before us). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export function fetchText(url: string, caFile: string): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { ca: readFileSync(caFile) }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
    }).on('error', reject);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

export async function startPebble(dir: string, tls: TlsFiles, options: { httpPort: number; validitySeconds?: number }): Promise<Pebble> {
  const [port, management, dnsPort, dnsManagement] = [await freePort(), await freePort(), await freeUdpPort(), await freePort()];
  const config = {
    pebble: {
      listenAddress: `127.0.0.1:${port}`,
      managementListenAddress: `127.0.0.1:${management}`,
      certificate: tls.certFile,
      privateKey: tls.keyFile,
      httpPort: options.httpPort,
      tlsPort: await freePort(),
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
    },
  };
  writeFileSync(join(dir, 'pebble.json'), JSON.stringify(config));
  const children: ChildProcess[] = [];
  const background = (command: string, args: string[], env: Record<string, string> = {}) => {
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
    child.stderr?.resume();
    children.push(child);
  };
  const stop = async () => {
    for (const child of children.reverse()) await stopChild(child);
  };
  try {
    background('pebble-challtestsrv', [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dnsPort}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${dnsManagement}`,
    ]);
    // PEBBLE_VA_NOSLEEP: no 4-9 s random sleep per validation; NONCEREJECT 0: no random badNonce;
    // AUTHZREUSE 0: every order validates again.
    background('pebble', ['-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`], {
      PEBBLE_VA_NOSLEEP: '1',
      PEBBLE_WFE_NONCEREJECT: '0',
      PEBBLE_AUTHZREUSE: '0',
    });
    const root = async () => (await fetchText(`https://127.0.0.1:${management}/roots/0`, tls.caFile)).body;
    for (let i = 0; ; i++) {
      try {
        if ((await root()).includes('BEGIN CERTIFICATE')) break;
      } catch {
        // not listening yet
      }
      if (i > 200) throw new Error('pebble did not start within 20 s');
      await sleep(100);
    }
    return { directoryUrl: `https://127.0.0.1:${port}/dir`, origin: `https://127.0.0.1:${port}`, root, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
