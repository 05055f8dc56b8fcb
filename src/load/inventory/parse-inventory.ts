// Walks a parsed YAML inventory the way Ansible's yaml inventory plugin does (keys in document order,
// groups created before their children) and builds the InventoryModel. Structural errors that the JSON
// Schema already reports are skipped here; this adds what a schema cannot see (names that are not
// strings, bad host ranges, loops, a bad ansible_group_priority).

import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import type { Problem } from '../../model/errors.js';
import { expandHostPattern, HostRangeError } from './host-ranges.js';
import { ancestors, newGroup, newModel, type GroupModel, type InventoryModel } from './model.js';
import { mapPairs, positionOf, resolveAlias, toValue, valueOrKey, type PairInfo, type YamlSource } from '../yaml/parse-yaml.js';
import type { VarOrigin } from '../../model/inventory.js';

const SECTIONS = new Set(['vars', 'children', 'hosts']);

/** Python's int() on what YAML can give; null when it would raise. */
function pythonInt(value: unknown): number | null {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value);
  if (typeof value === 'string' && /^\s*[-+]?[0-9](?:_?[0-9])*\s*$/.test(value)) return Number(value.replace(/_/g, ''));
  return null;
}

export class InventoryBuilder {
  readonly problems: Problem[] = [];

  /** `model`: the inventory earlier sources filled, when there are several */
  constructor(
    private readonly source: YamlSource,
    readonly model: InventoryModel = newModel(),
  ) {}

  private origin(node: YamlNode | null): VarOrigin {
    return { file: this.source.file, node, lineCounter: this.source.lineCounter };
  }

  private problem(node: YamlNode | null, message: string, extra: Partial<Problem> = {}): void {
    this.problems.push({ ...positionOf(this.source.file, this.source.lineCounter, node), message, ...extra });
  }

  build(): InventoryModel {
    for (const pair of mapPairs(this.source.root, this.source.doc)) {
      if (this.checkName(pair, 'group')) this.parseGroup(pair.key, pair.valueNode);
    }
    return this.model;
  }

  private checkName(pair: PairInfo, what: 'group' | 'host'): boolean {
    if (typeof pair.keyValue === 'string' && pair.keyValue !== '') return true;
    if (pair.keyValue === null || pair.keyValue === '') this.problem(pair.keyNode, `a ${what} name cannot be empty`);
    else this.problem(pair.keyNode, `${what} name \`${pair.key}\` must be a string; enclose it in quotes`);
    return false;
  }

  private group(name: string): GroupModel {
    let group = this.model.groups.get(name);
    if (!group) {
      group = newGroup(name);
      this.model.groups.set(name, group);
    }
    return group;
  }

  /** The entries of a section; Ansible reads a bare string `hosts: web1` as `{web1: null}`. */
  private sectionEntries(node: YamlNode | null): PairInfo[] {
    const target = resolveAlias(node, this.source.doc);
    if (isScalar(target) && typeof target.value === 'string') {
      return [{ key: target.value, keyValue: target.value, keyNode: target, valueNode: null }];
    }
    return isMap(target) ? mapPairs(target, this.source.doc) : [];
  }

  private parseGroup(name: string, node: YamlNode | null): string {
    const group = this.group(name);
    const target = resolveAlias(node, this.source.doc);
    if (!isMap(target)) return name;
    for (const section of mapPairs(target, this.source.doc)) {
      if (!SECTIONS.has(section.key)) continue;
      for (const entry of this.sectionEntries(section.valueNode)) {
        if (section.key === 'vars') this.setGroupVar(group, entry);
        else if (section.key === 'children') {
          if (!this.checkName(entry, 'group')) continue;
          const child = this.parseGroup(entry.key, entry.valueNode);
          this.addChild(name, child, entry.keyNode);
        } else {
          if (!this.checkName(entry, 'host')) continue;
          this.parseHost(group, entry);
        }
      }
    }
    return name;
  }

  private setGroupVar(group: GroupModel, entry: PairInfo): void {
    const value = toValue(entry.valueNode, this.source.doc);
    if (entry.key === 'ansible_group_priority') {
      const priority = pythonInt(value);
      if (priority === null) {
        this.problem(valueOrKey(entry), `must be an integer, found \`${String(value)}\``, { variable: entry.key });
      } else group.priority = priority;
      return;
    }
    group.vars.set(entry.key, { value, origin: this.origin(valueOrKey(entry)) });
  }

  private parseHost(group: GroupModel, entry: PairInfo): void {
    let names: string[];
    let port: number | null;
    try {
      ({ hosts: names, port } = expandHostPattern(entry.key));
    } catch (e) {
      if (!(e instanceof HostRangeError)) throw e;
      this.problem(entry.keyNode, `host \`${entry.key}\`: ${e.message}`);
      return;
    }
    const varsNode = resolveAlias(entry.valueNode, this.source.doc);
    const vars = isMap(varsNode) ? mapPairs(varsNode, this.source.doc) : [];
    for (const name of names) {
      let host = this.model.hosts.get(name);
      if (!host) {
        host = { name, vars: new Map(), declaredAt: positionOf(this.source.file, this.source.lineCounter, entry.keyNode), groups: [] };
        this.model.hosts.set(name, host);
        // Ansible's Host(name, port): the port only counts where the host is first seen
        if (port) host.vars.set('ansible_port', { value: port, origin: this.origin(entry.keyNode) });
      }
      if (!group.hosts.includes(name)) group.hosts.push(name);
      if (!host.groups.includes(group.name)) host.groups.push(group.name);
      for (const v of vars) {
        host.vars.set(v.key, { value: toValue(v.valueNode, this.source.doc), origin: this.origin(valueOrKey(v)) });
      }
    }
  }

  /** Ansible's add_child: refuses loops. `node` is where the child is named, for the message. */
  private addChild(parent: string, child: string, node: YamlNode | null): void {
    const p = this.group(parent);
    const c = this.group(child);
    if (child === 'all') {
      this.problem(node, `group \`all\` cannot be a child of \`${parent}\``);
      return;
    }
    if (parent === child || ancestors(this.model, parent).has(child)) {
      this.problem(node, `adding group \`${child}\` as a child of \`${parent}\` creates a loop`);
      return;
    }
    if (!p.children.includes(child)) p.children.push(child);
    if (!c.parents.includes(parent)) c.parents.push(parent);
  }
}

export function buildModel(source: YamlSource, into?: InventoryModel): { model: InventoryModel; problems: Problem[] } {
  const builder = new InventoryBuilder(source, into);
  const model = builder.build();
  return { model, problems: builder.problems };
}
