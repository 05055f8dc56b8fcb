// Decrypts what the load stage finds encrypted: a whole vault file (group_vars/host_vars, -e @file)
// before it is parsed, and `!vault` values inside any variable after it is. Every variable that held
// encrypted data is marked secret in its origin, so output, diffs and messages never show it.

import type { Problem } from '../../../model/errors.js';
import type { VarLayer } from '../model.js';
import { firstInvalidUtf8Line } from '../read-file.js';
import { VaultCiphertext } from '../../yaml/pyyaml-schema.js';
import { positionOf } from '../../yaml/parse-yaml.js';
import { decryptVault, isVaultText, VaultFormatError, type VaultSecret } from './vault-format.js';

const HOW = 'give its password with --vault-password-file FILE, --vault-id [LABEL@]FILE or --ask-vault-pass';

function tried(secrets: readonly VaultSecret[]): string {
  return secrets.map((s) => s.source).join(', ');
}

/**
 * Decrypted strings by ciphertext, per set of secrets (a value opened with one password must not be
 * handed out to a caller without it): one value may reach many hosts (ranges), PBKDF2 runs once.
 */
const decryptedBySecrets = new WeakMap<readonly VaultSecret[], Map<string, string>>();

type Outcome = { text: string; problem?: undefined } | { text?: undefined; problem: string };

function open(ciphertext: string, secrets: readonly VaultSecret[], what: string): Outcome {
  let decrypted = decryptedBySecrets.get(secrets);
  if (!decrypted) {
    decrypted = new Map();
    decryptedBySecrets.set(secrets, decrypted);
  }
  const known = decrypted.get(ciphertext);
  if (known !== undefined) return { text: known };
  if (secrets.length === 0) return { problem: `${what} is encrypted with Ansible Vault; ${HOW}` };
  let result;
  try {
    result = decryptVault(ciphertext, secrets);
  } catch (e) {
    if (!(e instanceof VaultFormatError)) throw e;
    return { problem: `${what} is not valid Ansible Vault data: ${e.message}` };
  }
  if (!result)
    return { problem: `${what} cannot be decrypted with the vault password${secrets.length > 1 ? 's' : ''} given (${tried(secrets)}): wrong password?` };
  if (firstInvalidUtf8Line(result.plaintext) !== null) return { problem: `${what} decrypts to data that is not UTF-8` };
  const text = result.plaintext.toString('utf8');
  decrypted.set(ciphertext, text);
  return { text };
}

/** A vars file's text, decrypted when it is a vault file. */
export function decryptVarsFile(text: string, display: string, secrets: readonly VaultSecret[]): { text: string; encrypted: boolean; problem?: Problem } {
  if (!isVaultText(text)) return { text, encrypted: false };
  const outcome = open(text, secrets, 'this file');
  if (outcome.problem !== undefined) return { text: '', encrypted: true, problem: { file: display, message: outcome.problem } };
  return { text: outcome.text, encrypted: true };
}

/** `value` with every `!vault` value decrypted; `found` tells whether there was one. */
function decryptValue(value: unknown, secrets: readonly VaultSecret[], what: string, fail: (message: string) => void, found: { any: boolean }): unknown {
  if (value instanceof VaultCiphertext) {
    found.any = true;
    const outcome = open(value.__ansible_vault, secrets, what);
    if (outcome.problem !== undefined) {
      fail(outcome.problem);
      return value;
    }
    return outcome.text;
  }
  if (Array.isArray(value)) return value.map((item) => decryptValue(item, secrets, what, fail, found));
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      (value as Record<string, unknown>)[key] = decryptValue((value as Record<string, unknown>)[key], secrets, what, fail, found);
    }
  }
  return value;
}

/**
 * Decrypts the `!vault` values of every layer in place. A missing password is reported once per file
 * (not once per value): the fix is the same for all of them.
 */
export function decryptInlineValues(layers: readonly VarLayer[], secrets: readonly VaultSecret[]): Problem[] {
  const problems: Problem[] = [];
  const missingReported = new Set<string>();
  for (const layer of layers) {
    for (const [name, entry] of layer) {
      const found = { any: false };
      const fail = (message: string) => {
        if (secrets.length === 0) {
          if (missingReported.has(entry.origin.file)) return;
          missingReported.add(entry.origin.file);
        }
        problems.push({ ...positionOf(entry.origin.file, entry.origin.lineCounter, entry.origin.node), variable: name, message });
      };
      entry.value = decryptValue(entry.value, secrets, 'the value (!vault)', fail, found);
      if (found.any) entry.origin = { ...entry.origin, secret: true };
    }
  }
  return problems;
}
