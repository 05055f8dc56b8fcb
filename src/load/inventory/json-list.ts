// The JSON an inventory script prints for `--list`, which is also what `ansible-inventory --list`
// exports: groups as `{hosts: [...], vars: {...}, children: [...]}` (or a bare list of hosts, or a
// mapping of variables for a group that is its own host), and `_meta.hostvars` with each host's
// variables. Read as Ansible's script plugin reads it (ansible-core 2.14).

import type { Problem } from '../../model/errors.js';
import { addChild, addGroup, addHost, setGroupVar, setHostVar } from './inventory-data.js';
import type { InventoryModel } from './model.js';
import type { Position, VarOrigin } from '../../model/inventory.js';

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A mapping in the --list format rather than an Ansible YAML inventory: it has `_meta` (which
 * `ansible-inventory --list` always prints). Without it, a list of hosts stays a YAML inventory error.
 */
export function looksLikeListFormat(value: unknown): boolean {
  return isMapping(value) && '_meta' in value;
}

/** Ansible's JSON decoder turns `{"__ansible_unsafe": "x"}` (how --list prints `!unsafe`) back into the string. */
function unwrapUnsafe(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapUnsafe);
  if (isMapping(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '__ansible_unsafe' && typeof value.__ansible_unsafe === 'string') return value.__ansible_unsafe;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) Object.defineProperty(out, k, { value: unwrapUnsafe(v), enumerable: true, writable: true, configurable: true });
    return out;
  }
  return value;
}

export interface ListSource {
  /** the file (or script) as the user named it */
  file: string;
  /** where a group's entry is written; line 1 when unknown (script output) */
  where: (path: string[]) => Position;
  /** a host's variables when `_meta.hostvars` is missing (`script --host H`); null: none */
  hostVars?: (host: string) => { vars: Record<string, unknown> } | { problem: Problem };
}

export function parseListFormat(data: unknown, source: ListSource, model: InventoryModel): Problem[] {
  const problems: Problem[] = [];
  const origin = (path: string[]): VarOrigin => {
    const at = source.where(path);
    return { file: source.file, node: null, lineCounter: null, line: at.line, col: at.col };
  };
  const problem = (path: string[], message: string) => problems.push({ ...source.where(path), message });
  if (!isMapping(data)) {
    problems.push({ ...source.where([]), message: 'must be a JSON object of groups (with `_meta.hostvars`), as `ansible-inventory --list` prints' });
    return problems;
  }
  const hosts: string[] = [];
  let metaVars: Record<string, unknown> | undefined;
  for (const [name, raw] of Object.entries(data)) {
    if (name === '_meta') {
      if (isMapping(raw) && 'hostvars' in raw) {
        if (isMapping(raw.hostvars)) metaVars = raw.hostvars;
        else problem(['_meta', 'hostvars'], '`_meta.hostvars` must be a mapping of host names to their variables');
      }
      continue;
    }
    const group = addGroup(model, name);
    let entry: Record<string, unknown>;
    if (!isMapping(raw)) entry = { hosts: raw };
    else if (!('hosts' in raw || 'vars' in raw || 'children' in raw)) entry = { hosts: [name], vars: raw };
    else entry = raw;
    if ('hosts' in entry) {
      if (!Array.isArray(entry.hosts)) problem([name, 'hosts'], `group \`${name}\`: \`hosts\` must be a list of host names`);
      else {
        for (const h of entry.hosts) {
          if (typeof h !== 'string' || h === '') {
            problem([name, 'hosts'], `group \`${name}\`: host names must be strings, found \`${JSON.stringify(h)}\``);
            continue;
          }
          if (!hosts.includes(h)) hosts.push(h);
          addHost(model, h, name, source.where([name, 'hosts']), null, origin([name, 'hosts']));
        }
      }
    }
    if ('vars' in entry) {
      if (!isMapping(entry.vars)) problem([name, 'vars'], `group \`${name}\`: \`vars\` must be a mapping`);
      else {
        for (const [key, value] of Object.entries(entry.vars)) {
          const error = setGroupVar(group, key, unwrapUnsafe(value), origin([name, 'vars', key]));
          if (error) problem([name, 'vars', key], error);
        }
      }
    }
    if ('children' in entry) {
      const children = entry.children;
      if (!Array.isArray(children) && !isMapping(children)) {
        problem([name, 'children'], `group \`${name}\`: \`children\` must be a list of group names`);
        continue;
      }
      for (const child of Array.isArray(children) ? children : Object.keys(children)) {
        if (typeof child !== 'string' || child === '') {
          problem([name, 'children'], `group \`${name}\`: child group names must be strings`);
          continue;
        }
        const error = addChild(model, name, child);
        if (error) problem([name, 'children'], error);
      }
    }
  }
  for (const name of hosts) {
    const host = model.hosts.get(name)!;
    let vars: unknown;
    if (metaVars !== undefined)
      vars = Object.hasOwn(metaVars, name) ? metaVars[name] : {}; // a host named `constructor` is not Object's
    else if (source.hostVars) {
      const got = source.hostVars(name);
      if ('problem' in got) {
        problems.push(got.problem);
        continue;
      }
      vars = got.vars;
    } else vars = {};
    if (!isMapping(vars)) {
      problem(['_meta', 'hostvars', name], `the variables of host \`${name}\` must be a mapping`);
      continue;
    }
    for (const [key, value] of Object.entries(vars)) setHostVar(host, key, unwrapUnsafe(value), origin(['_meta', 'hostvars', name, key]));
  }
  return problems;
}
