// Shared helpers for the inventory tests.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, type Problem } from '../../../src/model/errors.js';
import { loadInventory } from '../../../src/load/inventory/index.js';
import type { Inventory, InventoryHost } from '../../../src/model/inventory.js';
import type { VaultSecret } from '../../../src/load/inventory/vault/vault-format.js';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/inventories/', import.meta.url));

/** Fixture directories holding a valid inventory (everything but errors/). */
export function validFixtures(): string[] {
  return readdirSync(FIXTURES, { withFileTypes: true })
    .filter((d) => d.isDirectory() && d.name !== 'errors')
    .map((d) => d.name)
    .sort();
}

/** The inventory file of a fixture directory. */
export function inventoryFileOf(name: string): string {
  const file = ['hosts.yml', 'hosts.yaml', 'hosts.json', 'hosts'].find((f) => existsSync(path.join(FIXTURES, name, f)));
  assert.ok(file, `fixture ${name} has no hosts.yml/hosts.json`);
  return file;
}

/** The -e arguments of a fixture (extra-vars.json), if any. */
export function extraVarsOf(name: string): string[] {
  const file = path.join(FIXTURES, name, 'extra-vars.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

/** The `--vault-id LABEL@FILE` arguments of a fixture (vault-ids.json), if any. */
export function vaultIdsOf(name: string): string[] {
  const file = path.join(FIXTURES, name, 'vault-ids.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

/** The fixture's vault passwords as --vault-id would load them (password files only). */
export function vaultSecretsOf(name: string): VaultSecret[] {
  return vaultIdsOf(name).map((id) => {
    const [label, file] = id.split('@') as [string, string];
    return { label, password: Buffer.from(readFileSync(path.join(FIXTURES, name, file), 'utf8').trim()), source: `--vault-id ${id}` };
  });
}

/** Loads a fixture the way a user in its directory would: `provision -i hosts.yml`. */
export function loadFixture(name: string, extraVars = extraVarsOf(name)): Inventory {
  return loadInventory(inventoryFileOf(name), { cwd: path.join(FIXTURES, name), extraVars, vaultSecrets: vaultSecretsOf(name) });
}

export function host(inventory: Inventory, name: string): InventoryHost {
  const found = inventory.hosts.find((h) => h.name === name);
  assert.ok(found, `no host ${name} in ${inventory.file}; hosts: ${inventory.hosts.map((h) => h.name).join(', ')}`);
  return found;
}

/** The problems of the InputError `fn` throws; fails when it throws nothing or something else. */
export function problemsOf(fn: () => unknown): Problem[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof InputError, `expected an InputError, got ${String(e)}`);
    return e.problems;
  }
  assert.fail('expected an InputError, nothing was thrown');
}

/** The file each variable of a host comes from. */
export function originFiles(h: InventoryHost): Record<string, string> {
  return Object.fromEntries([...h.origins].map(([k, o]) => [k, o.file]));
}
