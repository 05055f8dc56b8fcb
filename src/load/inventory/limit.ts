// selectHosts: Ansible's host patterns as `--limit` uses them (ansible/inventory/manager.py:
// split_host_pattern, order_patterns, _evaluate_patterns, _match_one_pattern, _enumerate_matches).

import { readFileSync } from 'node:fs';
import { UsageError } from '../../model/errors.js';
import { parseAddress } from './host-ranges.js';
import type { Inventory, InventoryGroup, InventoryHost } from '../../model/inventory.js';

/** `a,b` or (without commas) `a:b`; a single host name with a port or range stays whole. */
export function splitHostPattern(pattern: string): string[] {
  let patterns: string[];
  if (pattern.includes(',')) patterns = pattern.split(',');
  else if (parseAddress(pattern)) patterns = [pattern];
  else patterns = pattern.match(/(?:[^\s:[\]]|\[[^\]]*\])+/g) ?? [];
  return patterns.map((p) => p.trim()).filter((p) => p !== '');
}

/** Plain patterns first, then `&` intersections, then `!` exclusions; only modifiers means `all` first. */
export function orderPatterns(patterns: string[]): string[] {
  const regular = patterns.filter((p) => p[0] !== '!' && p[0] !== '&');
  const intersection = patterns.filter((p) => p[0] === '&');
  const exclude = patterns.filter((p) => p[0] === '!');
  return [...(regular.length > 0 ? regular : ['all']), ...intersection, ...exclude];
}

/** Python's fnmatch.translate, anchored at both ends. */
function globToRegExp(glob: string): RegExp {
  let re = '';
  let i = 0;
  while (i < glob.length) {
    const c = glob[i++]!;
    if (c === '*') {
      if (!re.endsWith('.*')) re += '.*';
    } else if (c === '?') re += '.';
    else if (c === '[') {
      let j = i;
      if (glob[j] === '!') j++;
      if (glob[j] === ']') j++;
      while (j < glob.length && glob[j] !== ']') j++;
      if (j >= glob.length) re += '\\[';
      else {
        let stuff = glob.slice(i, j).replace(/\\/g, '\\\\');
        i = j + 1;
        if (stuff[0] === '!') stuff = '^' + stuff.slice(1);
        else if (stuff[0] === '^' || stuff[0] === '[') stuff = '\\' + stuff;
        re += `[${stuff}]`;
      }
    } else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^(?:${re})$`, 's');
}

function matcher(pattern: string): (name: string) => boolean {
  let re: RegExp;
  try {
    // `~regex` is matched at the start of the name only, like Python's re.match
    re = pattern[0] === '~' ? new RegExp(pattern.slice(1), 'y') : globToRegExp(pattern);
  } catch {
    throw new UsageError(`invalid host pattern \`${pattern}\``);
  }
  return (name) => {
    re.lastIndex = 0;
    return re.test(name);
  };
}

const SUBSCRIPT = /^(.+)\[(?:(-?[0-9]+)|([0-9]+)([:-])([0-9]*))\]$/;

function splitSubscript(pattern: string): { expr: string; subscript: [number, number | null] | null } {
  if (pattern[0] === '~') return { expr: pattern, subscript: null };
  const m = SUBSCRIPT.exec(pattern);
  if (!m) return { expr: pattern, subscript: null };
  const [, expr, idx, start, , end] = m;
  if (idx !== undefined) return { expr: expr!, subscript: [Number(idx), null] };
  return { expr: expr!, subscript: [Number(start), end ? Number(end) : -1] };
}

function applySubscript(hosts: InventoryHost[], subscript: [number, number | null] | null, pattern: string): InventoryHost[] {
  if (hosts.length === 0 || !subscript) return hosts;
  const [start] = subscript;
  let [, end] = subscript;
  if (end) {
    if (end === -1) end = hosts.length - 1;
    return hosts.slice(start, end + 1);
  }
  const index = start < 0 ? hosts.length + start : start;
  const host = hosts[index];
  if (!host) throw new UsageError(`no hosts matched the subscripted pattern \`${pattern}\``);
  return [host];
}

class Selector {
  private readonly hostsByName = new Map<string, InventoryHost>();
  private readonly groupsByName = new Map<string, InventoryGroup>();

  constructor(private readonly inventory: Inventory) {
    for (const h of inventory.hosts) this.hostsByName.set(h.name, h);
    for (const g of inventory.groups) this.groupsByName.set(g.name, g);
  }

  /** Ansible's Group.get_hosts: its own hosts, then its children's, breadth first, without repeats. */
  private groupHosts(name: string): InventoryHost[] {
    const result: InventoryHost[] = [];
    const seenHosts = new Set<string>();
    const seenGroups = new Set<string>([name]);
    const queue = [name];
    while (queue.length > 0) {
      const group = this.groupsByName.get(queue.shift()!);
      if (!group) continue;
      for (const h of group.hosts) {
        const host = this.hostsByName.get(h);
        if (host && !seenHosts.has(h)) {
          seenHosts.add(h);
          result.push(host);
        }
      }
      for (const child of group.children) {
        if (!seenGroups.has(child)) {
          seenGroups.add(child);
          queue.push(child);
        }
      }
    }
    return result;
  }

  private enumerate(pattern: string): InventoryHost[] {
    const matches = matcher(pattern);
    const results: InventoryHost[] = [];
    const groups = this.inventory.groups.filter((g) => matches(g.name));
    for (const g of groups) results.push(...this.groupHosts(g.name));
    if (groups.length === 0 || pattern[0] === '~' || /[.?*[]/.test(pattern)) {
      results.push(...this.inventory.hosts.filter((h) => matches(h.name)));
    }
    return results;
  }

  private matchOne(pattern: string): InventoryHost[] {
    const bare = pattern[0] === '&' || pattern[0] === '!' ? pattern.slice(1) : pattern;
    const { expr, subscript } = splitSubscript(bare);
    // like Ansible, the subscript indexes the matches as enumerated, repeats included
    return applySubscript(this.enumerate(expr), subscript, bare);
  }

  evaluate(patterns: string[]): InventoryHost[] {
    let hosts: InventoryHost[] = [];
    for (const p of orderPatterns(patterns)) {
      const plain = this.hostsByName.get(p);
      if (plain) {
        hosts.push(plain);
        continue;
      }
      const that = new Set(this.matchOne(p));
      if (p[0] === '!') hosts = hosts.filter((h) => !that.has(h));
      else if (p[0] === '&') hosts = hosts.filter((h) => that.has(h));
      else {
        const existing = new Set(hosts.map((h) => h.name));
        hosts.push(...[...that].filter((h) => !existing.has(h.name)));
      }
    }
    return hosts;
  }
}

function expandLimitFiles(patterns: string[]): string[] {
  const result: string[] = [];
  for (const p of patterns) {
    if (p[0] !== '@') {
      result.push(p);
      continue;
    }
    let text: string;
    try {
      text = readFileSync(p.slice(1), 'utf8');
    } catch {
      throw new UsageError(`cannot read limit file \`${p.slice(1)}\``);
    }
    result.push(...text.split('\n').map((l) => l.trim()));
  }
  return result.filter((p) => p !== '');
}

/**
 * The hosts an Ansible host pattern selects, in inventory order. `undefined` selects every host.
 * Patterns: names of hosts or groups, `all` or `*`, shell wildcards (`web*`), `~regex` (matched at the
 * start of the name), `!exclude`, `&intersection`, subscripts (`web[0]`, `web[1:2]`), separated by
 * commas or colons, and `@file` (one pattern per line). A pattern matching nothing contributes nothing:
 * the result may be empty and the caller reports it. Unlike Ansible, `localhost` is not implicitly added.
 * Throws UsageError for an invalid regex, an out-of-range subscript or an unreadable @file.
 */
export function selectHosts(inventory: Inventory, pattern: string | undefined): InventoryHost[] {
  if (pattern === undefined) return [...inventory.hosts];
  const selected = new Set(new Selector(inventory).evaluate(expandLimitFiles(splitHostPattern(pattern))));
  return inventory.hosts.filter((h) => selected.has(h));
}
