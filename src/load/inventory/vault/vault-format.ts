// Ansible Vault's format (ansible/parsing/vault/__init__.py, VaultAES256), decrypted with node's crypto:
//   $ANSIBLE_VAULT;1.1;AES256            or   $ANSIBLE_VAULT;1.2;AES256;<vault id label>
//   hex lines (80 columns) of: hex(salt) "\n" hex(hmac) "\n" hex(ciphertext)
// Keys: PBKDF2-HMAC-SHA256(password, salt, 10000 iterations, 80 bytes) = AES key (32) | HMAC key (32) |
// counter IV (16). The HMAC-SHA256 of the ciphertext is checked before AES-256-CTR decrypts it; the
// plaintext carries PKCS#7 padding to the AES block size.

import { createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

export const VAULT_HEADER = '$ANSIBLE_VAULT';

export interface VaultSecret {
  /** the vault id: `default` unless given as `--vault-id label@source` */
  label: string;
  password: Buffer;
  /** where it came from, for messages: `--vault-password-file pass.txt` */
  source: string;
}

export class VaultFormatError extends Error {}

export interface Envelope {
  version: string;
  cipher: string;
  /** the label written in a 1.2 header, else null */
  label: string | null;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(VAULT_HEADER);
}

function unhex(text: string, what: string): Buffer {
  if (text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) throw new VaultFormatError(`the ${what} is not hexadecimal`);
  return Buffer.from(text, 'hex');
}

export function parseEnvelope(text: string): Envelope {
  const lines = text.trim().split(/\r?\n/);
  const header = lines[0]!
    .trim()
    .split(';')
    .map((part) => part.trim());
  if (header[0] !== VAULT_HEADER || header.length < 3) throw new VaultFormatError('the header is not `$ANSIBLE_VAULT;VERSION;CIPHER`');
  const [, version, cipher, label] = header as [string, string, string, string | undefined];
  if (cipher !== 'AES256') throw new VaultFormatError(`cipher ${cipher} is not supported (ansible-vault writes AES256)`);
  const body = unhex(
    lines
      .slice(1)
      .map((l) => l.trim())
      .join(''),
    'body',
  ).toString('latin1');
  const parts = body.split('\n');
  if (parts.length < 3) throw new VaultFormatError('the body does not hold salt, HMAC and ciphertext');
  const [salt, hmac, ...rest] = parts;
  return { version, cipher, label: label || null, salt: unhex(salt!, 'salt'), hmac: unhex(hmac!, 'HMAC'), ciphertext: unhex(rest.join('\n'), 'ciphertext') };
}

/** The plaintext, or null when `password` is not the one it was encrypted with. */
export function decryptWith(envelope: Envelope, password: Buffer): Buffer | null {
  const derived = pbkdf2Sync(password, envelope.salt, 10000, 80, 'sha256');
  const aesKey = derived.subarray(0, 32);
  const hmacKey = derived.subarray(32, 64);
  const iv = derived.subarray(64, 80);
  const expected = createHmac('sha256', hmacKey).update(envelope.ciphertext).digest();
  if (envelope.hmac.length !== expected.length || !timingSafeEqual(envelope.hmac, expected)) return null;
  const decipher = createDecipheriv('aes-256-ctr', aesKey, iv);
  const padded = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
  const pad = padded.length > 0 ? padded[padded.length - 1]! : 0;
  if (pad < 1 || pad > 16 || pad > padded.length || !padded.subarray(padded.length - pad).every((b) => b === pad)) {
    throw new VaultFormatError('the padding of the decrypted data is wrong');
  }
  return padded.subarray(0, padded.length - pad);
}

/**
 * Ansible's decrypt: the secrets whose label the header names first, then every other one, in the
 * order given. Returns the plaintext and the label that opened it, or null when none does.
 */
export function decryptVault(text: string, secrets: readonly VaultSecret[]): { plaintext: Buffer; label: string } | null {
  const envelope = parseEnvelope(text);
  const ordered = [...secrets.filter((s) => s.label === envelope.label), ...secrets.filter((s) => s.label !== envelope.label)];
  for (const secret of ordered) {
    const plaintext = decryptWith(envelope, secret.password);
    if (plaintext) return { plaintext, label: secret.label };
  }
  return null;
}
