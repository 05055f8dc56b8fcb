// The corpus of real public inventories (test/fixtures/corpus/, origins in each entry's SOURCE): for every
// entry, `provision hosts INVENTORY --vars --json` must give exactly the hosts, group membership and merged
// variables of the real `ansible-inventory -i INVENTORY --list`. Needs the built CLI (npm test builds it)
// and Debian's ansible-core; without ansible-core these tests FAIL, they never skip.
// `npm run corpus` prints the same comparison as a table, one line per entry.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { compareCorpus, CORPUS, differences, explain, loadManifest } from './corpus-compare.js';

const entries = loadManifest();
// Started at once so the slow ansible-inventory starts overlap; each test waits for its own entry.
const { outcomes, done } = compareCorpus(entries);
after(() => done);

test('the corpus manifest lists every entry, each with its origin and inventory', () => {
  const dirs = readdirSync(CORPUS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.deepEqual(entries.map((e) => e.name).sort(), dirs, 'manifest.json and the entry directories differ');
  assert.equal(new Set(dirs).size, entries.length, 'an entry is listed twice');
  for (const entry of entries) {
    const dir = path.join(CORPUS, entry.name);
    assert.match(
      readFileSync(path.join(dir, 'SOURCE'), 'utf8'),
      /^repository: https:\/\/github\.com\/[^/\s]+\/[^/\s]+ /m,
      `${entry.name}/SOURCE names no repository`,
    );
    assert.ok(existsSync(path.join(dir, entry.inventory)), `${entry.name}: no ${entry.inventory}`);
    assert.ok(['ini', 'yaml', 'directory'].includes(entry.format), `${entry.name}: format ${entry.format}`);
  }
  assert.ok(entries.length >= 20, `only ${entries.length} corpus entries`);
  const ini = entries.filter((e) => e.format === 'ini').length;
  assert.ok(ini * 2 > entries.length, `only ${ini} of ${entries.length} entries are INI`);
});

// The comparison itself must be able to fail: each kind of difference between the two outputs is found.
test('the corpus comparison reports every kind of difference, and none on equal outputs', () => {
  const ansibleList = JSON.stringify({
    _meta: { hostvars: { web1: { port: 80, tags: ['a'], nested: { x: 1, y: 2 } }, db1: {} } },
    all: { children: ['ungrouped', 'prod'] },
    prod: { children: ['web'], hosts: ['db1'] },
    web: { hosts: ['web1'] },
  });
  const same = JSON.stringify({
    hosts: [
      { name: 'web1', groups: ['all', 'prod', 'web'], vars: { tags: ['a'], nested: { y: 2, x: 1 }, port: 80 } },
      { name: 'db1', groups: ['all', 'prod'], vars: {} },
    ],
  });
  assert.deepEqual(differences(ansibleList, same).differences, []);
  const other = JSON.stringify({
    hosts: [
      { name: 'web1', groups: ['all', 'web', 'extra'], vars: { port: '80', tags: ['a'], nested: { x: 1, y: 2 }, more: true } },
      { name: 'new1', groups: ['all'], vars: {} },
    ],
  });
  assert.deepEqual(differences(ansibleList, other).differences, [
    'host db1: Ansible has it, provision does not',
    'host new1: provision has it, Ansible does not',
    'host web1: groups differ (only Ansible: prod; only provision: extra)',
    'host web1: more = true in provision, missing in Ansible',
    'host web1: port: Ansible 80, provision "80"',
  ]);
});

for (const entry of entries) {
  test(`corpus ${entry.name} (${entry.format}): provision hosts --vars equals ansible-inventory --list`, { todo: entry.known }, async () => {
    const outcome = await outcomes.get(entry.name)!;
    if (entry.ansibleRefuses) {
      assert.equal(outcome.kind, 'ansible refuses', `${entry.name} is kept because Ansible refuses it (${entry.ansibleRefuses}), but Ansible now reads it`);
      if (outcome.kind === 'ansible refuses')
        assert.notEqual(outcome.provision.status, 0, `${entry.name}: Ansible refuses it (${outcome.error}), provision reads it`);
      return;
    }
    assert.equal(outcome.kind, 'identical', `${entry.name}: ${explain(outcome)}`);
  });
}
