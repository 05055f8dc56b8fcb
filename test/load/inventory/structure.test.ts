// Inventory structure: groups, children, ungrouped, ranges, ports, host order, positions.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Inventory } from '../../../src/model/inventory.js';
import { host, loadFixture } from './helpers.js';

function group(inv: Inventory, name: string) {
  const found = inv.groups.find((g) => g.name === name);
  assert.ok(found, `no group ${name}`);
  return found;
}

test('hosts only under all.hosts are in ungrouped; hosts also in another group leave it', () => {
  const inv = loadFixture('ungrouped');
  assert.deepEqual(group(inv, 'ungrouped').hosts, ['explicit', 'lonely']);
  assert.deepEqual(group(inv, 'all').hosts, ['lonely', 'both']);
  assert.deepEqual(host(inv, 'lonely').groups, ['all', 'ungrouped']);
  assert.deepEqual(host(inv, 'both').groups, ['all', 'web']);
  assert.deepEqual(host(inv, 'moved').groups, ['all', 'db']);
  // group_vars/ungrouped.yml applies to ungrouped hosts only
  assert.deepEqual(host(inv, 'lonely').vars, { ug: true });
  assert.deepEqual(host(inv, 'moved').vars, {});
});

test('a top-level group that is a child of another group is not a child of all', () => {
  const inv = loadFixture('toplevel-groups');
  assert.deepEqual(group(inv, 'all').children, ['ungrouped', 'prod', 'lonely_group', 'stringy']);
  assert.deepEqual(group(inv, 'prod').children, ['web', 'empty']);
  assert.deepEqual(group(inv, 'empty').hosts, []);
  assert.deepEqual(host(inv, 'web1').groups, ['all', 'prod', 'web']);
  assert.deepEqual(host(inv, 'web1').vars, { env: 'prod', tier: 'web' });
});

test('a bare name as hosts or vars means a one-entry mapping, as in Ansible', () => {
  const inv = loadFixture('toplevel-groups');
  assert.deepEqual(group(inv, 'stringy').hosts, ['solo1']);
  assert.deepEqual(host(inv, 'solo1').vars, { marker: null });
});

test('groups are listed all, ungrouped, then in order of first appearance', () => {
  const inv = loadFixture('nested-children');
  assert.deepEqual(
    inv.groups.map((g) => g.name),
    ['all', 'ungrouped', 'zz_top', 'mid', 'aa_leaf', 'late', 'shortcut', 'o1', 'o2', 'o3'],
  );
});

test('hosts are in order of first appearance, declaredAt is where they first appear', () => {
  const inv = loadFixture('nested-children');
  assert.deepEqual(
    inv.hosts.map((h) => h.name),
    ['h2', 'h1', 'h3'],
  );
  assert.deepEqual(host(inv, 'h2').declaredAt, { file: 'hosts.yml', line: 13, col: 13 });
});

test('host ranges and ports', () => {
  const inv = loadFixture('ranges-ports');
  assert.deepEqual(
    inv.hosts.map((h) => h.name),
    [
      'web01.example.com',
      'web02.example.com',
      'web03.example.com',
      'db-a',
      'db-b',
      'db-c',
      'node1',
      'node5',
      'node9',
      'ssh.example.com',
      '2001:db8::1',
      '10.0.0.1',
      '10.0.0.2',
      'app1',
      'app2',
    ],
  );
  assert.deepEqual(host(inv, 'web02.example.com').vars, { role: 'web' });
  assert.deepEqual(host(inv, 'web03.example.com').declaredAt, { file: 'hosts.yml', line: 6, col: 9 });
  assert.deepEqual(host(inv, 'ssh.example.com').vars, { ansible_port: 2222 });
  assert.deepEqual(host(inv, '2001:db8::1').vars, { ansible_port: 2200 });
  assert.deepEqual(host(inv, 'app2').vars, { ansible_port: 2022 });
});

test('a JSON inventory is read with JSON number rules', () => {
  const inv = loadFixture('json-inventory');
  assert.deepEqual(host(inv, 'h1').vars, { big: 100000, n: 1500, s: 'yes', w: true });
  assert.deepEqual(host(inv, 'h1').groups, ['all', 'web']);
  assert.equal(inv.file, 'hosts.json');
});

test('YAML 1.1 values as PyYAML reads them, templates kept raw', () => {
  const h1 = host(loadFixture('yaml11'), 'h1');
  assert.deepEqual(h1.vars, {
    base: { port: 80, tls: false },
    enabled: true,
    disabled: false,
    mode: 493,
    letter_y: 'y',
    letter_n: 'n',
    exp: '1e3',
    exp_signed: 1000,
    leading_zero: '09',
    sexagesimal: 90,
    date: '2024-02-29',
    when: '2024-02-29T10:20:30.500000+02:00',
    quoted: 'yes',
    tilde: null,
    empty: null,
    hex: 255,
    binary: 3,
    float: 1000.5,
    unsafe: '{{ not templated }}',
    template: '{{ inventory_hostname }}',
    merged: { port: 443, tls: false },
    alias: { port: 80, tls: false },
    multi: 'line1\nline2\n',
    folded: 'a b\n',
  });
});
