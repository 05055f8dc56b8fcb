// A throwaway TLS CA and a server certificate for localhost / 127.0.0.1 issued by it, made with the
// openssl command: Pebble ships no TLS certificate of its own, and the ACME proxy (acme-proxy.ts)
// serves the same one. Clients trust `caFile` (acme-tiny through SSL_CERT_FILE, node through `ca`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsFiles {
  caFile: string;
  certFile: string;
  keyFile: string;
}

export function makeTlsCa(dir: string): TlsFiles {
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
    'tlsca.key',
    '-out',
    'tlsca.pem',
    '-subj',
    '/CN=test tls ca',
    '-days',
    '2',
  );
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'tlsca.pem',
    '-CAkey',
    'tlsca.key',
    '-CAcreateserial',
    '-out',
    'server.crt',
    '-days',
    '2',
    '-extfile',
    'server.ext',
  );
  return { caFile: join(dir, 'tlsca.pem'), certFile: join(dir, 'server.crt'), keyFile: join(dir, 'server.key') };
}
