import type { LineCounter, Node as YamlNode } from 'yaml';
import type { Problem } from './errors.js';

/** A place in a source file, 1-based. `file` is as the user named it (relative paths stay relative). */
export interface Position {
  file: string;
  line: number;
  col: number;
}

/**
 * Where a variable's value came from. Keeping the YAML node lets an error about `acme_domains[1]`
 * point at the element itself, not only at the variable.
 */
export interface VarOrigin {
  file: string;
  /** the value's node; null for values without a YAML source (`-e KEY=VALUE`) */
  node: YamlNode | null;
  lineCounter: LineCounter | null;
  /** where a value without a YAML node was written (an INI line) */
  line?: number;
  col?: number;
  /** the inventory source's directory (absolute): relative paths in the value are relative to it */
  sourceDir?: string;
  /** the value was vault-encrypted (a whole vault file, or `!vault` inside it): never shown */
  secret?: boolean;
}

/** One host with its variables merged in Ansible's precedence order (role defaults not included). */
export interface InventoryHost {
  name: string;
  /** group names the host belongs to, directly or through children, `all` first, then Ansible's order */
  groups: string[];
  vars: Record<string, unknown>;
  /** for each variable in `vars`, the source of the value that won */
  origins: Map<string, VarOrigin>;
  /** where the host is first declared in the inventory file */
  declaredAt: Position;
  /** Ansible's inventory_file and inventory_dir: the source file that first declared the host (absolute) */
  inventoryFile?: string;
  inventoryDir?: string;
}

export interface InventoryGroup {
  name: string;
  /** direct children group names */
  children: string[];
  /** direct host names */
  hosts: string[];
}

export interface Inventory {
  /** the (first) inventory source as the user named it */
  file: string;
  /** every inventory source as the user named it, in order (several `-i`, a directory) */
  sources?: string[];
  /** its directory (absolute) */
  dir: string;
  /** hosts in Ansible's order (order of first appearance in the file) */
  hosts: InventoryHost[];
  groups: InventoryGroup[];
  /** what Ansible only warns about (severity 'warning'), each once, with file:line */
  warnings?: Problem[];
}
