// selectHosts: Ansible host patterns (--limit), on test/fixtures/inventories/limit.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { UsageError } from '../../../src/model/errors.js';
import { selectHosts, splitHostPattern } from '../../../src/load/inventory/limit.js';
import { loadFixture } from './helpers.js';
import { LIMIT_CASES } from './limit-cases.js';

const inv = loadFixture('limit');
const names = (pattern: string | undefined) => selectHosts(inv, pattern).map((h) => h.name);

test('no pattern selects every host, in inventory order', () => {
  assert.deepEqual(names(undefined), ['bastion', 'web1', 'web2', 'web3', 'db1', 'db2', 'hook1']);
});

for (const [pattern, expected] of LIMIT_CASES) {
  test(`pattern ${pattern}`, () => {
    assert.deepEqual(names(pattern), expected);
  });
}

test('splitting: commas, else colons, but a host:port or an IPv6 address stays whole', () => {
  assert.deepEqual(splitHostPattern('a, b ,c'), ['a', 'b', 'c']);
  assert.deepEqual(splitHostPattern('web:&prod:!db'), ['web', '&prod', '!db']);
  assert.deepEqual(splitHostPattern('web[1:2]:db'), ['web[1:2]', 'db']);
  assert.deepEqual(splitHostPattern('host:22'), ['host:22']);
  assert.deepEqual(splitHostPattern('2001:db8::1'), ['2001:db8::1']);
});

test('@file: one pattern per line', () => {
  const file = path.join(tmpdir(), `provision-limit-${process.pid}.txt`);
  writeFileSync(file, 'web1\n\ndb2\n');
  assert.deepEqual(names(`@${file}`), ['web1', 'db2']);
});

test('invalid regex, out-of-range subscript, missing @file: UsageError', () => {
  assert.throws(() => selectHosts(inv, '~('), UsageError);
  assert.throws(() => selectHosts(inv, 'web[9]'), UsageError);
  assert.throws(() => selectHosts(inv, '@/nonexistent/limit.txt'), UsageError);
});
