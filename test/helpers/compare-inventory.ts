// Compares an inventory we loaded with what `ansible-inventory --list` printed for the same sources:
// every group's hosts and children, every host, each host's groups and merged variables.

import assert from 'node:assert/strict';
import type { Inventory } from '../../src/model/inventory.js';
import { unwrapUnsafe, type AnsibleList } from './ansible.js';

/** Every group a host is in according to Ansible's output: direct groups and their ancestors. */
export function ansibleHostGroups(list: AnsibleList, hostName: string): string[] {
  const parents = new Map<string, string[]>();
  for (const [name, group] of list.groups) {
    for (const child of group.children ?? []) parents.set(child, [...(parents.get(child) ?? []), name]);
  }
  const result = new Set<string>(['all']);
  const stack = [...list.groups].filter(([, g]) => (g.hosts ?? []).includes(hostName)).map(([name]) => name);
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (result.has(g) && g !== 'all') continue;
    result.add(g);
    stack.push(...(parents.get(g) ?? []));
  }
  return [...result].sort();
}

/** `expected` turns Ansible's printed variables of a host into what we must hold (e.g. vault decrypted). */
export function compareWithAnsible(name: string, ours: Inventory, list: AnsibleList, expected: (printed: unknown) => unknown = (printed) => printed): void {
  const groupsByName = new Map(ours.groups.map((g) => [g.name, g]));
  const ansibleHosts = new Set<string>();
  for (const [groupName, group] of list.groups) {
    for (const h of group.hosts ?? []) ansibleHosts.add(h);
    const mine = groupsByName.get(groupName);
    assert.ok(mine, `${name}: Ansible has group ${groupName}, we do not`);
    if (groupName !== 'all') assert.deepEqual(mine.hosts, group.hosts ?? [], `${name}: hosts of group ${groupName}`);
    assert.deepEqual(mine.children, group.children ?? [], `${name}: children of group ${groupName}`);
  }
  for (const g of ours.groups) {
    const listed = g.children.length > 0 || (g.name !== 'all' && g.hosts.length > 0);
    if (listed) assert.ok(list.groups.has(g.name), `${name}: we have non-empty group ${g.name}, Ansible does not`);
  }
  assert.deepEqual(ours.hosts.map((h) => h.name).sort(), [...ansibleHosts].sort(), `${name}: hosts`);
  for (const h of ours.hosts) {
    // ansible-inventory leaves out hosts without variables
    assert.deepEqual(h.vars, expected(unwrapUnsafe(list.hostvars[h.name] ?? {})), `${name}: variables of ${h.name}`);
    assert.deepEqual([...h.groups].sort(), ansibleHostGroups(list, h.name), `${name}: groups of ${h.name}`);
  }
}
