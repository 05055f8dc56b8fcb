// Ansible's InventoryData.reconcile_inventory plus group depths: groups without a parent become
// children of `all`; hosts in no group but `all` go to `ungrouped`, hosts that are also elsewhere leave
// it; depth is the longest path from `all`.

import { ancestors, compareGroups, hostGroups, type InventoryModel } from './model.js';

function addChild(model: InventoryModel, parent: string, child: string): void {
  const p = model.groups.get(parent)!;
  const c = model.groups.get(child)!;
  if (!p.children.includes(child)) p.children.push(child);
  if (!c.parents.includes(parent)) c.parents.push(parent);
}

function computeDepths(model: InventoryModel): void {
  const memo = new Map<string, number>([['all', 0]]);
  const depth = (name: string): number => {
    const known = memo.get(name);
    if (known !== undefined) return known;
    memo.set(name, 0); // loops were refused when building; this only guards against recursion
    const parents = model.groups.get(name)?.parents ?? [];
    const value = parents.length === 0 ? 0 : Math.max(...parents.map((p) => depth(p) + 1));
    memo.set(name, value);
    return value;
  };
  for (const group of model.groups.values()) group.depth = depth(group.name);
}

export function reconcile(model: InventoryModel): void {
  for (const group of model.groups.values()) {
    if (group.name !== 'all' && ancestors(model, group.name).size === 0) addChild(model, 'all', group.name);
  }
  const ungrouped = model.groups.get('ungrouped')!;
  for (const host of model.hosts.values()) {
    const mine = hostGroups(model, host.name);
    if (mine.has('ungrouped')) {
      if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) {
        ungrouped.hosts = ungrouped.hosts.filter((h) => h !== host.name);
        host.groups = host.groups.filter((g) => g !== 'ungrouped');
      }
    } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
      ungrouped.hosts.push(host.name);
      host.groups.push('ungrouped');
    }
  }
  computeDepths(model);
}

/** All groups of a host, `all` first, then in Ansible's precedence order (depth, priority, name). */
export function sortedHostGroups(model: InventoryModel, host: string): string[] {
  const names = [...hostGroups(model, host)].filter((g) => g !== 'all');
  const sorted = names
    .map((n) => model.groups.get(n)!)
    .sort(compareGroups)
    .map((g) => g.name);
  return ['all', ...sorted];
}
