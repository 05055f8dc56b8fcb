// The reference: for every fixture inventory, Ansible's own `ansible-inventory -i FILE --list` must
// give exactly our variables and group membership, and `ansible all --list-hosts -l PATTERN` exactly
// our host selection. Needs ansible-core (Debian package `ansible-core`); without it these tests FAIL.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { selectHosts } from '../../../src/load/inventory/limit.js';
import type { Inventory } from '../../../src/model/inventory.js';
import { extraVarsOf, FIXTURES, inventoryFileOf, loadFixture, validFixtures, vaultIdsOf } from './helpers.js';
import { LIMIT_CASES } from './limit-cases.js';
import { ansible, parseList, type AnsibleList } from '../../helpers/ansible.js';
import { compareWithAnsible } from '../../helpers/compare-inventory.js';

/**
 * ansible-inventory prints inline `!vault` values still encrypted ({"__ansible_vault": ...}); we hold
 * them decrypted. Each is decrypted here by the real ansible-vault, so the comparison checks ours too.
 */
function decryptWithAnsible(value: unknown, dir: string, vaultIds: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => decryptWithAnsible(v, dir, vaultIds));
  if (value && typeof value === 'object') {
    if ('__ansible_vault' in value) {
      const args = ['decrypt', ...vaultIds.flatMap((id) => ['--vault-id', id]), '--output', '-', '-'];
      return execFileSync('ansible-vault', args, {
        cwd: dir,
        input: (value as { __ansible_vault: string }).__ansible_vault,
        encoding: 'utf8',
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decryptWithAnsible(v, dir, vaultIds)]));
  }
  return value;
}

function compare(name: string, ours: Inventory, list: AnsibleList): void {
  compareWithAnsible(name, ours, list, (printed) => decryptWithAnsible(printed, path.join(FIXTURES, name), vaultIdsOf(name)));
}

const fixtures = validFixtures();

test('there are fixtures to compare', () => {
  assert.ok(fixtures.length >= 10, `only ${fixtures.length} fixtures in ${FIXTURES}`);
});

for (const name of fixtures) {
  test(`ansible-inventory --list agrees on fixture ${name}`, () => {
    const dir = path.join(FIXTURES, name);
    const extra = extraVarsOf(name);
    const vault = vaultIdsOf(name).flatMap((id) => ['--vault-id', id]);
    const run = ansible('ansible-inventory', ['-i', inventoryFileOf(name), '--list', ...extra.flatMap((e) => ['-e', e]), ...vault], dir);
    assert.equal(run.status, 0, `ansible-inventory failed on ${name}:\n${run.stderr}`);
    compare(name, loadFixture(name), parseList(run.stdout));
  });
}

test('ansible --list-hosts --limit agrees with selectHosts on every pattern', () => {
  const dir = path.join(FIXTURES, 'limit');
  const inventory = loadFixture('limit');
  for (const [pattern, expected] of LIMIT_CASES) {
    const run = ansible('ansible', ['all', '-i', 'hosts.yml', '--list-hosts', '--limit', pattern], dir);
    let theirs: string[];
    if (run.status === 0) {
      theirs = run.stdout
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter((l) => l !== '');
    } else {
      assert.match(run.stderr, /no hosts to target/, `ansible failed on --limit ${pattern}:\n${run.stderr}`);
      theirs = [];
    }
    const ours = selectHosts(inventory, pattern).map((h) => h.name);
    assert.deepEqual([...ours].sort(), [...theirs].sort(), `--limit ${pattern}`);
    assert.deepEqual([...expected].sort(), [...theirs].sort(), `LIMIT_CASES entry for ${pattern} is out of date`);
  }
});
