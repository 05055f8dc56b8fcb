// The example inventory's rendered files, compared with golden copies in test/golden/example/ that
// were reviewed by hand. A change to a role shows up here as a diff to review; after reviewing it,
// `npm run golden:update` writes the new copies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, provision } from '../helpers/cli.js';

const golden = join(projectRoot, 'test/golden/example');

/** Every file and link under dir: relative path -> content (files) or `-> target` (links). */
function tree(dir: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const path of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const full = join(dir, path);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) entries.set(path, `-> ${readlinkSync(full)}`);
    else if (stat.isFile()) entries.set(path, readFileSync(full, 'utf8'));
  }
  return entries;
}

test('the example inventory renders exactly the reviewed golden files', () => {
  const out = mkdtempSync(join(tmpdir(), 'provision-golden-'));
  try {
    const rendered = provision(['render', join(projectRoot, 'inventories/example/inventory.yml'), '--out', out]);
    assert.equal(rendered.code, 0, rendered.stderr);
    if (process.env.UPDATE_GOLDEN === '1') {
      rmSync(golden, { recursive: true, force: true });
      cpSync(out, golden, { recursive: true, verbatimSymlinks: true });
    }
    const actual = tree(out);
    const expected = tree(golden);
    assert.deepEqual([...actual.keys()], [...expected.keys()], 'the set of rendered files differs from test/golden/example');
    for (const [path, content] of expected) assert.equal(actual.get(path), content, `${path} differs from test/golden/example/${path}`);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
