// The inventory as Ansible's InventoryData holds it while loading: groups and hosts with their own
// (inline) variables and the relations between them. Internal to src/inventory/.

import type { Position, VarOrigin } from '../../model/inventory.js';

export interface VarEntry {
  value: unknown;
  origin: VarOrigin;
}

/** Variables of one source, in the order they were set; a later set replaces the whole value. */
export type VarLayer = Map<string, VarEntry>;

export interface GroupModel {
  name: string;
  /** inline `vars:`, minus ansible_group_priority which Ansible keeps apart */
  vars: VarLayer;
  priority: number;
  children: string[];
  parents: string[];
  hosts: string[];
  /** longest path from `all` (all = 0); set by reconcile() */
  depth: number;
}

export interface HostModel {
  name: string;
  /** inline host variables, in document order (and `ansible_port` from `name:port`) */
  vars: VarLayer;
  declaredAt: Position;
  /** the groups the host is in directly, in the order it was added to them */
  groups: string[];
}

export interface InventoryModel {
  /** in creation order, `all` and `ungrouped` first, as Ansible's dict */
  groups: Map<string, GroupModel>;
  /** in order of first appearance */
  hosts: Map<string, HostModel>;
}

export function newGroup(name: string): GroupModel {
  return { name, vars: new Map(), priority: 1, children: [], parents: [], hosts: [], depth: 0 };
}

export function newModel(): InventoryModel {
  const groups = new Map<string, GroupModel>();
  const all = newGroup('all');
  const ungrouped = newGroup('ungrouped');
  all.children.push('ungrouped');
  ungrouped.parents.push('all');
  groups.set('all', all);
  groups.set('ungrouped', ungrouped);
  return { groups, hosts: new Map() };
}

/** Ansible's sort_groups key: (depth, priority, name). */
export function compareGroups(a: GroupModel, b: GroupModel): number {
  if (a.depth !== b.depth) return a.depth - b.depth;
  if (a.priority !== b.priority) return a.priority - b.priority;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** A group's ancestors (not itself). */
export function ancestors(model: InventoryModel, name: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(model.groups.get(name)?.parents ?? [])];
  while (stack.length > 0) {
    const current = stack.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    stack.push(...(model.groups.get(current)?.parents ?? []));
  }
  return seen;
}

/** The groups a host is in, directly or through children. */
export function hostGroups(model: InventoryModel, host: string): Set<string> {
  const result = new Set<string>();
  for (const name of model.hosts.get(host)?.groups ?? []) {
    result.add(name);
    for (const a of ancestors(model, name)) result.add(a);
  }
  return result;
}
