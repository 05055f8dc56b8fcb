// `--rotate-key NAME` on the command line (README "Rotating a key"): a name no selected host has is an
// input error naming it, before any host is looked at; under a --root tree no key is rotated, and the
// output says so. The rotation itself: test/run/key-rotation-e2e.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { provision, tempInventory } from '../helpers/cli.js';

const web = 'web1.example.test';

test('--rotate-key with a name no selected host has is an input error naming it, and nothing is applied', () => {
  const { inventory, root } = tempInventory();
  const run = provision(['apply', inventory, '--root', root, '--rotate-key', 'nope.example.test', '--rotate-key', web]);
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.match(run.stderr, /--rotate-key: nope\.example\.test is not a certificate name of the hosts selected \(acme_certificates: .*web1\.example\.test/);
  assert.ok(!existsSync(join(root, web)), 'nothing applied');
  const limited = provision(['plan', inventory, '--root', root, '--limit', 'mail1.example.test', '--rotate-key', web]);
  assert.equal(limited.code, 1, 'a certificate of a host left out by --limit is not one of the hosts selected');
  assert.match(limited.stderr, /--rotate-key: web1\.example\.test is not a certificate name/);
});

test('under a --root tree --rotate-key rotates nothing and says so', () => {
  const { inventory, root } = tempInventory();
  assert.equal(provision(['apply', inventory, '--root', root]).code, 0);
  const plan = provision(['plan', inventory, '--root', root, '--limit', web, '--rotate-key', web, '--detailed-exitcode']);
  assert.equal(plan.code, 0, plan.stdout + plan.stderr);
  assert.match(plan.stdout, /web1\.example\.test: note: no key is rotated under a --root tree \(--rotate-key\)/);
  assert.doesNotMatch(plan.stdout, /\.next/);
});
