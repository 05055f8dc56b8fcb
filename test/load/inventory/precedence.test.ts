// Variable precedence on small fixture inventories; each expectation was checked with
// `ansible-inventory -i hosts.yml --list` (ansible-compare.test.ts re-checks it on every run).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { host, loadFixture, originFiles } from './helpers.js';

test('all < parent group < child group < host', () => {
  const inv = loadFixture('basic-precedence');
  assert.deepEqual(host(inv, 'par1').vars, { level: 'host', only_all: 'from-all', ntp: 'all-ntp', region: 'eu' });
  // par2 is in paris (depth 2) and web (depth 1): paris wins `level`, web still gives `ntp`
  assert.deepEqual(host(inv, 'par2').vars, { level: 'paris', only_all: 'from-all', ntp: 'web-ntp', region: 'eu' });
  assert.deepEqual(host(inv, 'web1').vars, { level: 'all', only_all: 'from-all', ntp: 'web-ntp' });
});

test('group_vars/ files beat inline group vars, and group_vars/all beats an inline child group', () => {
  const inv = loadFixture('group-vars-over-inline');
  const web1 = host(inv, 'web1');
  assert.deepEqual(web1.vars, { a: 'file-all', b: 'file-all', c: 'file-all', d: 'file-web', e: 'inline-web' });
  assert.deepEqual(originFiles(web1), {
    a: 'group_vars/all.yml',
    b: 'group_vars/all.yml',
    c: 'group_vars/all.yml',
    d: 'group_vars/web.yml',
    e: 'hosts.yml',
  });
});

test('host_vars/ beat inline host vars, which beat group_vars/', () => {
  const inv = loadFixture('host-vars-over-inline');
  assert.deepEqual(host(inv, 'h1').vars, { x: 'inline-host', y: 'file-host', z: 'file-g' });
  assert.equal(host(inv, 'h1').origins.get('y')?.file, 'host_vars/h1.yml');
  assert.deepEqual(host(inv, 'h2').vars, { x: 'file-g', z: 'file-g' });
});

test('sibling groups merge in name order, not document order; group_vars files too', () => {
  const inv = loadFixture('siblings');
  const h1 = host(inv, 'h1');
  assert.deepEqual(h1.vars, { v: 'gamma', only_gamma: 1, w: 'beta', f: 'beta' });
  assert.deepEqual(h1.groups, ['all', 'alpha', 'beta', 'gamma']);
});

test('ansible_group_priority orders groups of equal depth but never beats depth', () => {
  const inv = loadFixture('group-priority');
  // alpha (priority 10) sorts after beta (1)
  assert.deepEqual(host(inv, 'h1').groups, ['all', 'beta', 'alpha']);
  assert.equal(host(inv, 'h1').vars.v, 'alpha');
  // zeta (0) sorts before beta (1); the priority in group_vars/zeta.yml is only a variable
  assert.deepEqual(host(inv, 'h2').groups, ['all', 'zeta', 'beta']);
  assert.deepEqual(host(inv, 'h2').vars, { v: 'beta', fv: 'beta', ansible_group_priority: 50 });
  // deep is a child of beta: depth 2 beats alpha's priority
  assert.equal(host(inv, 'h3').vars.v, 'deep');
  // inline ansible_group_priority is not a variable
  assert.ok(!('ansible_group_priority' in host(inv, 'h1').vars));
});

test('depth is the longest path from all', () => {
  const inv = loadFixture('nested-children');
  assert.equal(host(inv, 'h1').vars.v, 'aa_leaf');
  assert.equal(host(inv, 'h2').vars.v, 'mid');
  // late: depth 4 through zz_top > mid > aa_leaf although shortcut > late is 2; o3 is at depth 3
  assert.equal(host(inv, 'h3').vars.v, 'late');
  assert.deepEqual(host(inv, 'h3').groups, ['all', 'o1', 'shortcut', 'zz_top', 'mid', 'o2', 'aa_leaf', 'o3', 'late']);
});

test('lists and dicts replace, they are not merged', () => {
  const inv = loadFixture('lists-replaced');
  assert.deepEqual(host(inv, 'web1').vars, { packages: ['haproxy'], settings: { c: 4 } });
  assert.deepEqual(host(inv, 'web2').vars, { packages: ['haproxy'], settings: { b: 3 } });
});

test('inline vars of a host in several groups merge in document order', () => {
  const inv = loadFixture('inline-merge');
  assert.deepEqual(host(inv, 'h1').vars, { settings: { y: 2 }, g: 'web-first', a: 'first', b: 'second', c: 'second' });
});

test('a host value is a copy: changing it does not change other hosts', () => {
  const inv = loadFixture('lists-replaced');
  (host(inv, 'web2').vars.packages as string[]).push('changed');
  assert.deepEqual(host(inv, 'web1').vars.packages, ['haproxy']);
});
