// An account that owns a directory root manages entries in can swap them between the probe and the
// apply. Here the account "racer" owns the challenge directory of the older layout (acme's, with
// root's .well-known and its acme-challenge link inside) and swaps .well-known for links to a
// root-only directory, in a loop, while real applies migrate the tree: the root-only directory must
// never change. Real accounts (test/helpers/private-host.ts), real sh running the real apply script.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { privateHost } from '../helpers/private-host.js';
import { projectRoot, tempInventory } from '../helpers/cli.js';

const runs = 12;

test('an account swapping entries of its directory while apply runs never makes root act outside the managed paths', (t) => {
  const host = privateHost();
  t.after(() => host.remove());
  const copy = tempInventory();
  const tree = join(host.dir, 'tree');
  const secret = join(host.dir, 'secret');
  const challenges = join(tree, 'web1.example.test/var/www/challenges');
  const fixtures = join(projectRoot, 'test/fixtures/race');
  const result = host.run([
    process.execPath,
    '--import',
    'tsx',
    join(fixtures, 'drive.ts'),
    tree,
    secret,
    challenges,
    copy.inventory,
    join(fixtures, 'swap-entries.py'),
    String(runs),
  ]);
  const out = result.stdout + result.stderr;
  if (process.env.RACE_DEBUG) console.log(out);
  assert.equal(result.code, 0, out);
  assert.match(out, /^setup changed$/m);
  const secrets = out.split('\n').filter((line) => line.startsWith('secret '));
  assert.equal(secrets.length, runs, out);
  for (const line of secrets) assert.equal(line, 'secret 700 root file', out);
  // A run either migrates or stops with a clear reason; it never fails any other way.
  for (const line of out.split('\n').filter((l) => l.startsWith('run '))) {
    assert.match(line, /^run \d+ (changed|failed .*(symbolic link|not a real directory|not touched|is in the way|refusing to manage).*)$/, out);
  }
  assert.match(out, /^final (changed|ok)$/m);
  assert.ok(out.includes(`layout ${challenges} 755 root:root directory`), out);
  assert.ok(out.includes(`layout ${challenges}/.well-known 755 root:root directory`), out);
  assert.ok(out.includes(`layout ${challenges}/.well-known/acme-challenge 750 racer:www-data directory`), out);
});
