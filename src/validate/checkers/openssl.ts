// `openssl`: every CSR of the host is made once in the sandbox exactly as the apply makes it on the host
// (`openssl req -new -sha256 -key K -subj SUBJ -addext subjectAltName=...`, same subject and names),
// with a scratch key of the same type. What OpenSSL refuses there it refuses on the host: a first
// name longer than the 64 characters a CN holds, an organization over 64, a country that is not two
// letters, an empty name in the SAN list...
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Checker, CheckInput, Finding } from '../checker.js';
import type { CsrResource, PrivateKeyResource } from '../../model/desired.js';
import type { KeyType } from '../../model/role-manifest.js';
import { csrSubject, keyArguments } from '../../apply/apply-script.js';
import { opensslTool } from './host-tree.js';
import { runTool } from './run-tool.js';

/** One scratch key per type per process (RSA 4096 takes seconds), kept as PEM text. */
const scratchKeys = new Map<KeyType, Promise<string>>();

function scratchKey(type: KeyType, workDir: string): Promise<string> {
  let key = scratchKeys.get(type);
  if (!key) {
    key = (async () => {
      const args = keyArguments[type];
      if (!args) throw new Error(`unknown key type ${type}`);
      await mkdir(workDir, { recursive: true });
      const file = join(workDir, `scratch-${type}.key`);
      const result = await runTool(opensslTool, ['genpkey', ...args, '-out', file]);
      if (result.exitCode !== 0) throw new Error(`openssl genpkey (${type}) failed: ${result.stderr.trim()}`);
      return readFile(file, 'utf8');
    })();
    scratchKeys.set(type, key);
    key.catch(() => scratchKeys.delete(type));
  }
  return key;
}

/** openssl's error stack, shortened to what a person acts on. */
export function opensslMessage(output: string): string {
  const said: string[] = [];
  const reasons: string[] = [];
  for (const raw of output.split('\n')) {
    const text = raw.trim();
    if (text === '' || /^[.+*\s]+$/.test(text)) continue;
    // 40D7...:error:06800097:asn1 encoding routines:ASN1_mbstring_ncopy:string too long:../crypto/asn1/a_mbstr.c:106:maxsize=64
    const m = /^[0-9A-F]+:error:[0-9A-F]+:[^:]*:[^:]*:([^:]*):[^:]*:\d+:(.*)$/.exec(text);
    if (m) reasons.push(m[2] ? `${m[1]} (${m[2]})` : m[1]!);
    else said.push(text.replace(/^req: /, ''));
  }
  return [...new Set([...said, ...reasons])].join('; ');
}

/** Why the CSR fails, in the inventory's terms, when it is one of the usual causes. */
function hint(csr: CsrResource): string | undefined {
  const hints: string[] = [];
  const first = csr.domains[0] ?? '';
  if (first.length > 64)
    hints.push(`the first name of acme_domains (${first.length} characters) becomes the CN, which holds at most 64: put a name of at most 64 characters first`);
  if ((csr.organization ?? '').length > 64) hints.push(`the organization has ${csr.organization!.length} characters; at most 64`);
  if (csr.country !== undefined && csr.country !== '' && !/^[A-Za-z]{2}$/.test(csr.country))
    hints.push(`the country must be a two-letter code (ISO 3166), not "${csr.country}"`);
  if (csr.domains.some((d) => d === '')) hints.push('a name in acme_domains is empty');
  return hints.length > 0 ? hints.join('; ') : undefined;
}

async function checkCsr(csr: CsrResource, index: number, input: CheckInput): Promise<Finding[]> {
  const key = input.desired.resources.find((r): r is PrivateKeyResource => r.kind === 'private_key' && r.path === csr.key);
  if (!key) return [{ path: csr.path, severity: 'error', message: `its key ${csr.key} is not a private_key of this host, so the CSR cannot be made` }];
  if (csr.domains.length === 0) return [{ path: csr.path, severity: 'error', message: 'the CSR names no domain' }];

  const dir = join(input.sandbox, `csr-${index}`);
  await mkdir(dir, { recursive: true });
  const keyFile = join(dir, 'domain.key');
  await writeFile(keyFile, await scratchKey(key.keyType, join(input.sandbox, 'keys')), { mode: 0o600 });
  const subject = csrSubject(csr);
  const names = csr.domains.map((d) => `DNS:${d}`).join(',');
  const result = await runTool(
    opensslTool,
    ['req', '-new', '-sha256', '-key', keyFile, '-subj', subject, '-addext', `subjectAltName=${names}`, '-out', join(dir, 'domain.csr')],
    { cwd: dir },
  );
  if (result.exitCode === 0) return [];
  const because = hint(csr);
  const message = `openssl req refuses this CSR: ${opensslMessage(result.stderr + result.stdout) || `exit ${result.exitCode}`}`;
  return [{ path: csr.path, severity: 'error', message: because ? `${message}. ${because}` : message }];
}

async function run(input: CheckInput): Promise<Finding[]> {
  const findings = await Promise.all(input.csrs.map((csr, index) => checkCsr(csr, index, input)));
  return findings.flat();
}

export const opensslChecker: Checker = {
  name: 'openssl',
  tools: [opensslTool],
  run,
};
