// The InventoryModel operations Ansible's InventoryData offers its plugins (add_group, add_host,
// add_child, set_variable), for the parsers that are not YAML (INI, scripts, exported JSON). Several
// sources fill one model, so a later source can add hosts and children to an earlier one's groups.

import { ancestors, newGroup, type GroupModel, type HostModel, type InventoryModel } from './model.js';
import type { Position, VarOrigin } from '../../model/inventory.js';

export function addGroup(model: InventoryModel, name: string): GroupModel {
  let group = model.groups.get(name);
  if (!group) {
    group = newGroup(name);
    model.groups.set(name, group);
  }
  return group;
}

/** Ansible's add_host: the port (ansible_port) only counts where the host is first seen. */
export function addHost(model: InventoryModel, name: string, group: string, declaredAt: Position, port: number | null, origin: VarOrigin): HostModel {
  let host = model.hosts.get(name);
  if (!host) {
    host = { name, vars: new Map(), declaredAt, groups: [] };
    model.hosts.set(name, host);
    if (port) host.vars.set('ansible_port', { value: port, origin });
  }
  // host.groups and group.hosts change together; the host's short list is the cheap one to search
  if (!host.groups.includes(group)) {
    host.groups.push(group);
    addGroup(model, group).hosts.push(name);
  }
  return host;
}

/** Ansible's add_child; returns an error message instead of adding a loop. */
export function addChild(model: InventoryModel, parent: string, child: string): string | null {
  const p = addGroup(model, parent);
  const c = addGroup(model, child);
  if (child === 'all') return `group \`all\` cannot be a child of \`${parent}\``;
  if (parent === child || ancestors(model, parent).has(child)) return `adding group \`${child}\` as a child of \`${parent}\` creates a loop`;
  if (!p.children.includes(child)) p.children.push(child);
  if (!c.parents.includes(parent)) c.parents.push(parent);
  return null;
}

/** Python's int() of a group priority; null when it would raise. */
function priorityOf(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[-+]?[0-9](?:_?[0-9])*\s*$/.test(value)) return Number(value.replace(/_/g, ''));
  return null;
}

/** A group variable; ansible_group_priority is kept apart, as Group.set_variable does. Returns an error message. */
export function setGroupVar(group: GroupModel, key: string, value: unknown, origin: VarOrigin): string | null {
  if (key === 'ansible_group_priority') {
    const priority = priorityOf(value);
    if (priority === null) return `ansible_group_priority must be an integer, found \`${String(value)}\``;
    group.priority = priority;
    return null;
  }
  group.vars.set(key, { value, origin });
  return null;
}

export function setHostVar(host: HostModel, key: string, value: unknown, origin: VarOrigin): void {
  host.vars.set(key, { value, origin });
}
