import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostDirProblem, joinInside, OutsideTreeError } from '../../src/model/host-dir.js';

test('a host name is a directory name only when it is one plain component', () => {
  for (const bad of ['', '.', '..', '../x', 'a/b', '/abs', 'x/', 'nul\0byte']) assert.ok(hostDirProblem(bad), JSON.stringify(bad));
  for (const good of ['web1.example.test', '...', '..x', 'x..', '-n', 'a b']) assert.equal(hostDirProblem(good), undefined, good);
});

test('joinInside keeps joined paths inside the base', () => {
  assert.equal(joinInside('/srv/out', 'web1', '/etc/x.conf'), '/srv/out/web1/etc/x.conf');
  assert.equal(joinInside('/srv/out/', 'web1'), '/srv/out/web1');
  assert.throws(() => joinInside('/srv/out', '..', 'etc'), OutsideTreeError);
  assert.throws(() => joinInside('/srv/out', 'web1', '/../../../etc/passwd'), OutsideTreeError);
  assert.throws(() => joinInside('/srv/out', '../out2'), OutsideTreeError);
});
