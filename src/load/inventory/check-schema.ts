// Checks an inventory's structure against schemas/inventory.schema.json and turns every ajv error into
// a Problem placed on the YAML node it is about.

import { readFileSync } from 'node:fs';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { compileSchema } from '../schema/ajv.js';
import { pointerToPath } from '../schema/describe-error.js';
import type { Node as YamlNode } from 'yaml';
import type { Problem } from '../../model/errors.js';
import { childNode, describeType, positionOf, type YamlSource } from '../yaml/parse-yaml.js';

/** From src/inventory/ and from dist/inventory/ alike, the schema is two levels up. */
export const SCHEMA_URL = new URL('../../../schemas/inventory.schema.json', import.meta.url);

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    const schema = JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as object;
    compiled = compileSchema(schema);
  }
  return compiled;
}

/** Follows `path` from the root: the value node at the end and the key node naming it. */
function nodesAt(source: YamlSource, path: string[]): { keyNode: YamlNode | null; valueNode: YamlNode | null } {
  let keyNode: YamlNode | null = null;
  let valueNode: YamlNode | null = source.root;
  for (const segment of path) {
    const child = childNode(valueNode, segment, source.doc);
    if (!child) break;
    keyNode = child.keyNode;
    valueNode = child.valueNode;
  }
  return { keyNode, valueNode };
}

function valueAt(data: unknown, path: string[]): unknown {
  let current = data;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

type Context =
  { kind: 'root' } | { kind: 'group'; group: string } | { kind: 'section'; group: string; section: string } | { kind: 'host'; group: string; host: string };

/** What an instance path inside an inventory designates: group / (section / name)*. */
function contextOf(path: string[]): Context {
  if (path.length === 0) return { kind: 'root' };
  let group = path[0]!;
  let i = 1;
  while (i < path.length) {
    const section = path[i]!;
    if (i + 1 >= path.length) return { kind: 'section', group, section };
    const name = path[i + 1]!;
    if (section === 'hosts') return { kind: 'host', group, host: name };
    group = name;
    i += 2;
  }
  return { kind: 'group', group };
}

function message(error: ErrorObject, context: Context, found: string): string {
  if (error.keyword === 'additionalProperties' && context.kind === 'group') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return `unknown key \`${key}\` in group \`${context.group}\` is ignored (as Ansible does); expected hosts, vars or children`;
  }
  if (error.keyword === 'type') {
    switch (context.kind) {
      case 'root':
        return `an inventory must be a mapping of group names (such as \`all:\`) to groups; found ${found}`;
      case 'group':
        return `group \`${context.group}\` must be a mapping with hosts, vars or children (or empty); found ${found}`;
      case 'section':
        return context.section === 'vars'
          ? `\`vars\` of group \`${context.group}\` must be a mapping of variable names to values; found ${found}`
          : `\`${context.section}\` of group \`${context.group}\` must be a mapping of ${context.section === 'hosts' ? 'host' : 'group'} names; found ${found}`;
      case 'host':
        return `variables of host \`${context.host}\` in group \`${context.group}\` must be a mapping (or empty); found ${found}`;
    }
  }
  return `${error.instancePath || 'inventory'} ${error.message ?? 'is invalid'}`;
}

/** Every structural problem of the inventory in `source`, in document order. */
export function checkInventorySchema(source: YamlSource): Problem[] {
  const validate = validator();
  if (validate(source.value)) return [];
  const problems: (Problem & { offset: number })[] = [];
  for (const error of validate.errors ?? []) {
    const path = pointerToPath(error.instancePath).map(String);
    const context = contextOf(path);
    const { keyNode, valueNode } = nodesAt(source, path);
    let node = valueNode ?? keyNode;
    if (error.keyword === 'additionalProperties') {
      const extra = childNode(valueNode, (error.params as { additionalProperty: string }).additionalProperty, source.doc);
      node = extra?.keyNode ?? node;
    } else if (error.keyword === 'type' && context.kind !== 'root' && keyNode && !valueNode?.range) {
      node = keyNode;
    }
    const found = describeType(valueAt(source.value, path));
    // Ansible's yaml plugin skips an unknown key of a group with a warning; the model builder skips it too
    const ignoredKey = error.keyword === 'additionalProperties' && context.kind === 'group';
    problems.push({
      ...positionOf(source.file, source.lineCounter, node),
      message: message(error, context, found),
      offset: node?.range?.[0] ?? 0,
      ...(ignoredKey ? { severity: 'warning' as const } : {}),
    });
  }
  problems.sort((a, b) => a.offset - b.offset);
  return problems.map(({ offset: _offset, ...p }) => p);
}
