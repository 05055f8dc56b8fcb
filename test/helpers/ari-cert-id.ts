// The ARI CertID of a certificate (RFC 9773 section 4.1): base64url(AKI keyIdentifier) "."
// base64url(serial), both unpadded; the serial part is the DER INTEGER's content bytes (with the
// leading 00 a serial whose top bit is set has). The openssl command turns the PEM into DER; the
// two fields are read from the DER itself (no openssl text output, which changes between versions:
// shared/docs/ca-2026.md). `certIdFromText` is the same from `openssl x509 -serial -ext`, a second
// way to cross-check the first in the tests.
import { execFileSync } from 'node:child_process';

interface Tlv {
  tag: number;
  start: number;
  end: number;
}

/** The DER element at `at`: its tag and content range. */
function tlv(der: Buffer, at: number): Tlv {
  const tag = der[at]!;
  let length = der[at + 1]!;
  let start = at + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + der[start + i]!;
    start += bytes;
  }
  return { tag, start, end: start + length };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end; at = out[out.length - 1]!.end) out.push(tlv(der, at));
  return out;
}

const akiOid = Buffer.from([0x55, 0x1d, 0x23]); // 2.5.29.35 authorityKeyIdentifier

const base64url = (bytes: Buffer) => bytes.toString('base64url');

export function certIdOfDer(der: Buffer): string {
  const tbs = children(der, tlv(der, 0))[0]!;
  const fields = children(der, tbs);
  // version [0] is optional (present in every v3 certificate); the serial is the first INTEGER.
  const serial = fields[0]!.tag === 0xa0 ? fields[1]! : fields[0]!;
  const extensions = fields.find((f) => f.tag === 0xa3);
  if (!extensions) throw new Error('certificate has no extensions, so no authority key identifier');
  for (const extension of children(der, children(der, extensions)[0]!)) {
    const parts = children(der, extension);
    if (!der.subarray(parts[0]!.start, parts[0]!.end).equals(akiOid)) continue;
    const value = parts[parts.length - 1]!; // OCTET STRING holding AuthorityKeyIdentifier
    const keyId = children(der, tlv(der, value.start)).find((f) => f.tag === 0x80);
    if (!keyId) break;
    return `${base64url(der.subarray(keyId.start, keyId.end))}.${base64url(der.subarray(serial.start, serial.end))}`;
  }
  throw new Error('certificate has no authority key identifier with a keyIdentifier');
}

/** The CertID of the first certificate in a PEM file. */
export function ariCertId(pemFile: string): string {
  return certIdOfDer(execFileSync('openssl', ['x509', '-in', pemFile, '-outform', 'DER']));
}

/** The same from openssl's one-field outputs (`-serial`, `-ext authorityKeyIdentifier`), to cross-check. */
export function certIdFromText(pemFile: string): string {
  const serialHex = execFileSync('openssl', ['x509', '-in', pemFile, '-noout', '-serial'], { encoding: 'utf8' })
    .trim()
    .replace(/^serial=/, '');
  let hex = serialHex.length % 2 ? `0${serialHex}` : serialHex;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  const aki = execFileSync('openssl', ['x509', '-in', pemFile, '-noout', '-ext', 'authorityKeyIdentifier'], { encoding: 'utf8' });
  const keyHex = /^\s*(?:keyid:)?((?:[0-9A-F]{2}:)*[0-9A-F]{2})\s*$/im.exec(aki.split('\n').slice(1).join('\n'))?.[1];
  if (!keyHex) throw new Error(`no key identifier in: ${aki}`);
  return `${base64url(Buffer.from(keyHex.replace(/:/g, ''), 'hex'))}.${base64url(Buffer.from(hex, 'hex'))}`;
}
