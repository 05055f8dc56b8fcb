// Merges a host's variables in the order of Ansible's VariableManager.get_vars (default
// VARIABLE_PRECEDENCE), low to high:
//   1. inline vars of `all`
//   2. inline vars of the host's other groups, sorted by (depth, ansible_group_priority, name)
//   3. group_vars/all (beside each inventory source, in source order)
//   4. group_vars/<group> for the same sorted groups (source by source)
//   5. inline host vars
//   6. host_vars/<host> (source by source)
//   7. extra vars
// Each layer replaces whole top-level variables: lists and dicts are not merged.

import type { VarLayer } from './model.js';
import type { VarOrigin } from '../../model/inventory.js';

export interface HostLayers {
  /** the host's groups, `all` first, then sorted by (depth, priority, name) */
  groups: string[];
  groupInline: (group: string) => VarLayer | undefined;
  /** how many inventory sources there are; group_vars/host_vars are read beside each one */
  sources?: number;
  /** group_vars of `group` beside inventory source number `source` */
  groupFiles: (group: string, source: number) => VarLayer | undefined;
  hostInline: VarLayer;
  /** host_vars of the host, one layer per inventory source */
  hostFiles: VarLayer | VarLayer[];
  extra: VarLayer;
}

/**
 * The layers of one host, lowest precedence first. With several sources Ansible reads the vars files
 * source by source within each step: every source's group_vars/all, then every source's other groups.
 */
export function layersFor(input: HostLayers): VarLayer[] {
  const [all, ...others] = input.groups;
  const sources = [...Array(input.sources ?? 1).keys()];
  const layers: (VarLayer | undefined)[] = [
    input.groupInline(all!),
    ...others.map(input.groupInline),
    ...sources.map((s) => input.groupFiles(all!, s)),
    ...sources.flatMap((s) => others.map((g) => input.groupFiles(g, s))),
    input.hostInline,
    ...(Array.isArray(input.hostFiles) ? input.hostFiles : [input.hostFiles]),
    input.extra,
  ];
  return layers.filter((l): l is VarLayer => l !== undefined);
}

export function mergeLayers(layers: VarLayer[]): { vars: Record<string, unknown>; origins: Map<string, VarOrigin> } {
  const winners: VarLayer = new Map();
  for (const layer of layers) for (const [key, entry] of layer) winners.set(key, entry);
  const vars: Record<string, unknown> = {};
  const origins = new Map<string, VarOrigin>();
  for (const [key, entry] of winners) {
    // a copy per host, so changing one host's value cannot change another's
    Object.defineProperty(vars, key, { value: structuredClone(entry.value), enumerable: true, writable: true, configurable: true });
    origins.set(key, entry.origin);
  }
  return { vars, origins };
}
