// locate(origin, path): `path` is relative to the variable's value node.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { locate } from '../../../src/load/inventory/locate.js';
import { host, loadFixture } from './helpers.js';

const inv = loadFixture('locate', ['cli=1']);
const h1 = host(inv, 'h1');
const web1 = host(inv, 'web1');
const INLINE = 'hosts.yml';
const GROUP_VARS = 'group_vars/web.yml';

test('[] is the value itself', () => {
  assert.deepEqual(locate(h1.origins.get('acme_domains')!, []), { file: INLINE, line: 4, col: 7 });
});

test('an index into a block list gives that element (acme_domains[1])', () => {
  assert.deepEqual(locate(h1.origins.get('acme_domains')!, [1]), { file: INLINE, line: 5, col: 9 });
  assert.deepEqual(locate(h1.origins.get('acme_domains')!, ['1']), { file: INLINE, line: 5, col: 9 });
});

test('an index into a flow list of the winning value (group_vars beats inline all vars)', () => {
  assert.deepEqual(locate(web1.origins.get('acme_domains')!, [1]), { file: GROUP_VARS, line: 1, col: 27 });
});

test('paths through mappings and lists', () => {
  assert.deepEqual(locate(web1.origins.get('certs')!, ['main', 'domains', 1]), { file: GROUP_VARS, line: 6, col: 9 });
  assert.deepEqual(locate(web1.origins.get('certs')!, ['main', 'key']), { file: GROUP_VARS, line: 7, col: 15 });
});

test('an alias is located where it is used', () => {
  assert.deepEqual(locate(web1.origins.get('certs')!, ['alias']), { file: GROUP_VARS, line: 8, col: 10 });
});

test('a path that leaves the value stops at the deepest node found', () => {
  assert.deepEqual(locate(h1.origins.get('acme_domains')!, [7]), { file: INLINE, line: 4, col: 7 });
  assert.deepEqual(locate(web1.origins.get('certs')!, ['main', 'nope', 3]), { file: GROUP_VARS, line: 4, col: 5 });
  assert.deepEqual(locate(web1.origins.get('certs')!, ['main', 'key', 0]), { file: GROUP_VARS, line: 7, col: 15 });
});

test('a value left empty is located at its key', () => {
  assert.deepEqual(locate(web1.origins.get('empty')!, []), { file: GROUP_VARS, line: 9, col: 1 });
});

test('a value without a YAML source (-e key=value) gives line 1, column 1 of its label', () => {
  assert.deepEqual(locate(web1.origins.get('cli')!, [0]), { file: '-e #1 (cli)', line: 1, col: 1 });
});
