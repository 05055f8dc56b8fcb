// The plan refuses to manage a path under a directory another account can write (real probe, real
// plan, a --root tree whose directories are changed the way a careless admin would).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, symlinkSync, lstatSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { provision, snapshot, tempInventory } from '../helpers/cli.js';
import { untrustedBecause } from '../../src/plan/parent-dirs.js';

const nobody = 65534;

test('a path under a directory owned by another account is refused, naming both; nothing written', () => {
  const copy = tempInventory();
  const etc = join(copy.root, 'web1.example.test/etc');
  mkdirSync(etc, { recursive: true });
  chownSync(etc, nobody, nobody);
  const before = snapshot(copy.root);
  for (const command of [['apply'], ['plan']]) {
    const result = provision([...command, copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
    const out = result.stdout + result.stderr;
    assert.equal(result.code, 3, out);
    assert.match(
      out,
      new RegExp(
        `/etc/\\S+ \\(and \\d+ more paths under it\\): refusing to manage it under ${etc}, which is owned by nobody \\(owner nobody, group nogroup, mode 0755\\)`,
      ),
    );
    assert.deepEqual(snapshot(copy.root), before, `${command[0]} wrote nothing`);
  }
});

test('a world-writable directory (not sticky) above a managed path is refused', () => {
  const copy = tempInventory();
  const www = join(copy.root, 'web1.example.test/var/www');
  mkdirSync(www, { recursive: true });
  chmodSync(www, 0o777);
  const result = provision(['apply', copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
  assert.equal(result.code, 3, result.stdout + result.stderr);
  assert.match(
    result.stdout + result.stderr,
    new RegExp(`/var/www/\\S+.*refusing to manage it under ${www}, which is writable by every account \\(owner root, group root, mode 0777\\)`),
  );
});

test("the older layout's challenge link is replaced by the token directory; another link is refused", () => {
  const copy = tempInventory();
  const challenges = join(copy.root, 'web1.example.test/var/www/challenges');
  mkdirSync(join(challenges, '.well-known'), { recursive: true });
  symlinkSync('/var/www/challenges', join(challenges, '.well-known/acme-challenge'));
  const migrated = provision(['apply', copy.inventory, '--root', copy.root, '--limit', 'web1.example.test']);
  assert.equal(migrated.code, 0, migrated.stdout + migrated.stderr);
  assert.ok(lstatSync(join(challenges, '.well-known/acme-challenge')).isDirectory());

  const other = tempInventory();
  const otherChallenges = join(other.root, 'web1.example.test/var/www/challenges');
  mkdirSync(join(otherChallenges, '.well-known'), { recursive: true });
  symlinkSync('/etc', join(otherChallenges, '.well-known/acme-challenge'));
  const refused = provision(['apply', other.inventory, '--root', other.root, '--limit', 'web1.example.test']);
  assert.equal(refused.code, 3, refused.stdout + refused.stderr);
  assert.match(refused.stdout + refused.stderr, /\/var\/www\/challenges\/\.well-known\/acme-challenge: a symlink is in the way of the directory to manage/);
  assert.equal(readlinkSync(join(otherChallenges, '.well-known/acme-challenge')), '/etc');
});

test('which directories other accounts can change', () => {
  const dir = (mode: number, uid = 0, gid = 0) => ({ mode, uid, gid, owner: uid === 0 ? 'root' : 'u', group: gid === 0 ? 'root' : 'g' });
  const uids = new Set([0]);
  const gids = new Set([0]);
  assert.equal(untrustedBecause(dir(0o755), uids, gids, undefined), undefined);
  assert.equal(untrustedBecause(dir(0o755, 1000), uids, gids, undefined), 'owned by u');
  assert.equal(untrustedBecause(dir(0o775, 0, 50), uids, gids, undefined), 'writable by group g');
  assert.equal(untrustedBecause(dir(0o775, 0, 0), uids, gids, undefined), undefined);
  assert.equal(untrustedBecause(dir(0o777), uids, gids, undefined), 'writable by every account');
  // /tmp: sticky, so only the owner of the entry below can rename it; trusted when that one is root's.
  assert.equal(untrustedBecause(dir(0o1777), uids, gids, dir(0o700)), undefined);
  assert.equal(untrustedBecause(dir(0o1777), uids, gids, dir(0o700, 1000)), 'writable by every account');
  assert.equal(untrustedBecause(dir(0o1777), uids, gids, undefined), 'writable by every account');
  assert.equal(untrustedBecause(dir(0o755, 1000), new Set([0, 1000]), gids, undefined), undefined);
});
