// Which inventory sources a command works on: the `-i` values in order, then the positional ones; with
// neither, the inventory Ansible itself would use (ANSIBLE_INVENTORY, then ansible.cfg).

import { defaultInventory, displaySource } from '../../load/inventory/ansible-cfg.js';

export interface InventoryChoice {
  sources: string[];
  /** where the sources came from when none was named: `ANSIBLE_INVENTORY` or `FILE:LINE` of ansible.cfg */
  from?: string;
}

export function chooseInventory(dashI: readonly string[], positional: readonly string[], cwd = process.cwd(), env = process.env): InventoryChoice | null {
  const named = [...dashI, ...positional];
  if (named.length > 0) return { sources: named };
  const found = defaultInventory(cwd, env);
  if (!found) return null;
  return { sources: found.sources.map((s) => displaySource(s, cwd)), from: found.from };
}
