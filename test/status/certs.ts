// Certificates for the status tests, made with the real openssl: a root and an intermediate CA, and
// leaves with any names and any dates (`openssl ca -startdate/-enddate`, so an expired or nearly
// expired certificate needs no fake clock). Leaves have no subject, only SAN names, like Let's
// Encrypt's tlsserver and shortlived ones. What matters here is what is installed against what is
// served, so the CA is this one, not Pebble.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const config = `[ ca ]
default_ca = CA_default
[ CA_default ]
dir = .
database = ./index.txt
new_certs_dir = ./newcerts
serial = ./serial
default_md = sha256
policy = policy_any
unique_subject = no
email_in_dn = no
[ policy_any ]
organizationName = optional
commonName = optional
[ intermediate ]
basicConstraints = critical,CA:TRUE,pathlen:0
keyUsage = critical,keyCertSign,cRLSign
[ leaf ]
basicConstraints = critical,CA:FALSE
subjectAltName = \${ENV::SAN}
extendedKeyUsage = serverAuth
`;

/** openssl ca's date form: YYYYMMDDHHMMSSZ */
function caDate(epoch: number): string {
  return new Date(epoch * 1000)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

export interface Leaf {
  key: string;
  cert: string;
  serial: string;
}

export interface TestCa {
  rootFile: string;
  chain: string;
  /** a new key (PEM) */
  key(type?: 'rsa' | 'ec'): string;
  /** a leaf for `names` valid from..until (epoch seconds), for `key` (a new one by default) */
  leaf(names: string[], from: number, until: number, key?: string): Leaf;
  /** a self-signed certificate as the letsencrypt role's placeholder is: subject = issuer */
  selfSigned(names: string[], from: number, until: number, key: string): Leaf;
}

export function makeTestCa(dir: string): TestCa {
  mkdirSync(join(dir, 'newcerts'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'ca.cnf'), config);
  const openssl = (args: string[], env: Record<string, string> = {}) =>
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe', env: { ...process.env, SAN: 'DNS:unused', ...env } });
  let count = 0;
  const serial = () => {
    const hex = randomBytes(9)
      .toString('hex')
      .toUpperCase()
      .replace(/^[89A-F]/, '1');
    writeFileSync(join(dir, 'serial'), `${hex}\n`);
    return hex;
  };
  const key = (type: 'rsa' | 'ec' = 'rsa') => {
    const file = join(dir, `k${count++}.key`);
    openssl(
      type === 'rsa'
        ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file]
        : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file],
    );
    return readFileSync(file, 'utf8');
  };
  const now = Math.floor(Date.now() / 1000);
  openssl([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'root.key',
    '-out',
    'root.pem',
    '-subj',
    '/CN=status test root',
    '-days',
    '2000',
  ]);
  openssl([
    'req',
    '-new',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    'int.key',
    '-out',
    'int.csr',
    '-subj',
    '/CN=status test intermediate',
  ]);
  serial();
  openssl([
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'root.pem',
    '-keyfile',
    'root.key',
    '-in',
    'int.csr',
    '-out',
    'int.pem',
    '-startdate',
    caDate(now - 400 * 86400),
    '-enddate',
    caDate(now + 1000 * 86400),
    '-extensions',
    'intermediate',
    '-notext',
  ]);
  const sign = (names: string[], from: number, until: number, keyPem: string, self: boolean): Leaf => {
    const n = count++;
    writeFileSync(join(dir, `l${n}.key`), keyPem);
    openssl(['req', '-new', '-key', `l${n}.key`, '-out', `l${n}.csr`, '-subj', self ? `/CN=${names[0]}` : '/']);
    const hex = serial();
    const signer = self ? ['-selfsign', '-keyfile', `l${n}.key`] : ['-cert', 'int.pem', '-keyfile', 'int.key'];
    openssl(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        ...signer,
        '-in',
        `l${n}.csr`,
        '-out',
        `l${n}.pem`,
        '-startdate',
        caDate(from),
        '-enddate',
        caDate(until),
        '-extensions',
        'leaf',
        '-notext',
      ],
      {
        SAN: names.map((name) => `DNS:${name}`).join(','),
      },
    );
    return { key: keyPem, cert: readFileSync(join(dir, `l${n}.pem`), 'utf8'), serial: hex };
  };
  return {
    rootFile: join(dir, 'root.pem'),
    chain: readFileSync(join(dir, 'int.pem'), 'utf8'),
    key,
    leaf: (names, from, until, keyPem) => sign(names, from, until, keyPem ?? key(), false),
    selfSigned: (names, from, until, keyPem) => sign(names, from, until, keyPem, true),
  };
}

/** Installs a certificate as the letsencrypt role and its renewal script do: domain.key, signed.crt, chain.pem, fullchain.pem. */
export function install(dir: string, leaf: Leaf, chain: string, key = leaf.key): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'domain.key'), key, { mode: 0o400 });
  writeFileSync(join(dir, 'signed.crt'), leaf.cert);
  writeFileSync(join(dir, 'chain.pem'), chain);
  writeFileSync(join(dir, 'fullchain.pem'), leaf.cert + chain);
}
