// The corpus of real public inventories (test/fixtures/corpus/, origins in each entry's SOURCE): for every
// entry, `provision hosts INVENTORY --vars --json` must give exactly the hosts, group membership and merged
// variables of the real `ansible-inventory -i INVENTORY --list`. Needs the built CLI (npm test builds it)
// and Debian's ansible-core; without ansible-core these tests FAIL, they never skip.
// `npm run corpus` prints the same comparison as a table, one line per entry.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { compareCorpus, CORPUS, describe, loadManifest } from './corpus-compare.js';

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
    assert.match(readFileSync(path.join(dir, 'SOURCE'), 'utf8'), /^repository: https:\/\/github\.com\/[^/\s]+\/[^/\s]+ /m, `${entry.name}/SOURCE names no repository`);
    assert.ok(existsSync(path.join(dir, entry.inventory)), `${entry.name}: no ${entry.inventory}`);
    assert.ok(['ini', 'yaml', 'directory'].includes(entry.format), `${entry.name}: format ${entry.format}`);
  }
  assert.ok(entries.length >= 20, `only ${entries.length} corpus entries`);
  const ini = entries.filter((e) => e.format === 'ini').length;
  assert.ok(ini * 2 > entries.length, `only ${ini} of ${entries.length} entries are INI`);
});

for (const entry of entries) {
  test(`corpus ${entry.name} (${entry.format}): provision hosts --vars equals ansible-inventory --list`, async () => {
    const outcome = await outcomes.get(entry.name)!;
    if (entry.ansibleRefuses) {
      assert.equal(outcome.kind, 'ansible refuses', `${entry.name} is kept because Ansible refuses it (${entry.ansibleRefuses}), but Ansible now reads it`);
      if (outcome.kind === 'ansible refuses') assert.notEqual(outcome.provision.status, 0, `${entry.name}: Ansible refuses it (${outcome.error}), provision reads it`);
      return;
    }
    assert.equal(outcome.kind, 'identical', `${entry.name}: ${describe(outcome)}`);
  });
}
