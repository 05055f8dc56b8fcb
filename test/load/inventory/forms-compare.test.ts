// The inventory forms beyond one YAML file (INI, directories, several sources, scripts, exported JSON)
// against the real `ansible-inventory --list` with Ansible's whole plugin chain. Each directory of
// test/fixtures/forms/ is one case; its sources.json lists the -i arguments (default: ["hosts"]).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { loadInventory } from '../../../src/load/inventory/index.js';
import { ALL_PLUGINS, ansible, parseList } from '../../helpers/ansible.js';
import { compareWithAnsible } from '../../helpers/compare-inventory.js';

const FORMS = fileURLToPath(new URL('../../fixtures/forms/', import.meta.url));

function sourcesOf(name: string): string[] {
  const file = path.join(FORMS, name, 'sources.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : ['hosts'];
}

function ansibleList(dir: string, sources: string[]) {
  const run = ansible('ansible-inventory', [...sources.flatMap((s) => ['-i', s]), '--list'], dir, ALL_PLUGINS);
  assert.equal(run.status, 0, `ansible-inventory failed in ${dir}:\n${run.stderr}`);
  return { list: parseList(run.stdout), stdout: run.stdout };
}

const cases = readdirSync(FORMS, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test('there are inventory form fixtures', () => {
  for (const expected of ['ini-features', 'dir-mixed', 'several-sources', 'script-meta', 'script-no-meta']) assert.ok(cases.includes(expected), expected);
});

for (const name of cases) {
  test(`ansible-inventory --list agrees on ${name}`, () => {
    const dir = path.join(FORMS, name);
    const sources = sourcesOf(name);
    compareWithAnsible(name, loadInventory(sources, { cwd: dir }), ansibleList(dir, sources).list);
  });
}

const tmp = mkdtempSync(path.join(tmpdir(), 'provision-forms-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

for (const name of ['ini-features', 'dir-mixed', 'several-sources']) {
  test(`an exported \`ansible-inventory --list\` of ${name} reads as the original`, () => {
    const dir = path.join(FORMS, name);
    const { list, stdout } = ansibleList(dir, sourcesOf(name));
    const exported = path.join(tmp, `${name}.json`);
    writeFileSync(exported, stdout);
    compareWithAnsible(`${name}.json`, loadInventory(exported), list);
  });
}
