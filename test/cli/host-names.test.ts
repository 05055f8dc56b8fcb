// A host name becomes a directory under --root, provision_root and render --out: one that is not a
// plain path component would write outside the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

function inventoryWithHost(name: string) {
  const copy = tempInventory();
  const text = readFileSync(copy.inventory, 'utf8').replace('mail1.example.test:', `${JSON.stringify(name)}: { acme_domains: [outside.example.test] }`);
  writeFileSync(copy.inventory, text);
  return copy;
}

for (const name of ['../outside', '../../../../../../../../tmp/x']) {
  test(`host ${JSON.stringify(name)} is refused by apply --root, apply with provision_root and render --out; nothing written`, () => {
    const copy = inventoryWithHost(name);
    const base = dirname(dirname(copy.dir));
    const before = readdirSync(base).sort();
    const out = join(base, 'out');
    for (const [args, origin] of [
      [['apply', copy.inventory, '--root', copy.root], '--root'],
      [['plan', copy.inventory, '--root', copy.root], '--root'],
      [['apply', copy.inventory], 'provision_root'],
      [['render', copy.inventory, '--out', out], 'render --out'],
    ] as const) {
      const result = provision([...args]);
      assert.equal(result.code, 1, `${args[0]}: ${result.stdout}${result.stderr}`);
      assert.ok(result.stderr.includes(`inventory.yml:14:9: host name ${JSON.stringify(name)} cannot name a directory`), result.stderr);
      assert.ok(result.stderr.includes(`${origin} places each host's tree under DIR/<host name>`), result.stderr);
      assert.match(result.stderr, /nothing was changed/);
      assert.deepEqual(readdirSync(base).sort(), before, `${args[0]} wrote nothing beside the inventory`);
      assert.equal(existsSync(join(copy.dir, '../../../build')), false);
    }
    assert.equal(existsSync('/tmp/x'), false);
  });
}

test('a host name that is one path component (dots, spaces, a leading dash) still works under --root', () => {
  const copy = inventoryWithHost('-odd name..x');
  const result = provision(['apply', copy.inventory, '--root', copy.root]);
  assert.equal(result.code, 0, result.stdout + result.stderr);
  assert.ok(existsSync(join(copy.root, '-odd name..x', 'etc/postfix/provision-tls.cf')));
});
