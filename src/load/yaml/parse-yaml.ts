// Parse a YAML (or JSON) file the way Ansible's loader does, keeping every node's position.

import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import type { Problem } from '../../model/errors.js';
import type { Position } from '../../model/inventory.js';
import { pyyamlTags } from './pyyaml-schema.js';

export interface YamlSource {
  /** the file as the user sees it */
  file: string;
  doc: Document;
  lineCounter: LineCounter;
  /** the document's root node, null for an empty document */
  root: YamlNode | null;
  /** the document as plain data (PyYAML semantics: merge keys applied, last duplicate wins) */
  value: unknown;
}

/** Documents by their LineCounter, so `locate` can follow aliases knowing only a VarOrigin. */
const documents = new WeakMap<LineCounter, Document>();

export function documentOf(lineCounter: LineCounter | null): Document | undefined {
  return lineCounter ? documents.get(lineCounter) : undefined;
}

/**
 * Ansible's DataLoader tries JSON first, then YAML. A JSON file is therefore read with JSON's number
 * rules (`1e5` is a number), anything else with PyYAML's YAML 1.1 rules.
 */
function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * PyYAML keeps a block scalar's (`|`, `>`) final line break only when the file has one; the yaml
 * package adds one at the end of a file that lacks it.
 */
function dropAddedFinalNewline(doc: Document, text: string): void {
  if (text.endsWith('\n') || text.endsWith('\r')) return;
  visit(doc, {
    Scalar(_, node) {
      const block = node.type === 'BLOCK_LITERAL' || node.type === 'BLOCK_FOLDED';
      if (block && node.range && node.range[1] >= text.length && typeof node.value === 'string' && node.value.endsWith('\n'))
        node.value = node.value.slice(0, -1);
    },
  });
}

export function positionOf(file: string, lineCounter: LineCounter | null, node: YamlNode | null | undefined): Position {
  if (!node || !lineCounter || !node.range) return { file, line: 1, col: 1 };
  const { line, col } = lineCounter.linePos(node.range[0]);
  return { file, line, col };
}

function problemAt(file: string, lineCounter: LineCounter, offset: number, message: string): Problem {
  const { line, col } = lineCounter.linePos(offset);
  return { file, line, col, message };
}

/** The source text of the mapping key that starts at `offset`. */
function keyTextAt(doc: Document, text: string, offset: number): string {
  let found = '';
  visit(doc, {
    Pair(_, pair) {
      const range = (pair.key as YamlNode | null)?.range;
      if (range && range[0] === offset) {
        found = text.slice(range[0], range[1]).trim();
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return found || text.slice(offset).split(/[:\n]/)[0]!.trim();
}

/**
 * The yaml package reports an unclosed quote or flow collection where it gave up, often the next
 * line; point at where the unclosed value starts instead and say where the parser noticed.
 */
function malformed(doc: Document, file: string, lineCounter: LineCounter, offset: number, message: string): Problem {
  let start = -1;
  visit(doc, (_key, node) => {
    const opened = (isScalar(node) && (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE')) || ((isMap(node) || isSeq(node)) && node.flow === true);
    const range = opened ? node.range : undefined;
    if (range && range[1] === offset && range[0] < offset && range[0] > start) start = range[0];
  });
  const noticed = lineCounter.linePos(offset);
  if (start >= 0 && lineCounter.linePos(start).line < noticed.line) {
    return problemAt(
      file,
      lineCounter,
      start,
      `malformed YAML: ${message} (the value starting here is not closed; noticed at line ${noticed.line}, column ${noticed.col})`,
    );
  }
  return problemAt(file, lineCounter, offset, `malformed YAML: ${message}`);
}

/**
 * Parses `text`. Returns the source, or null when the YAML is malformed (the problems say where).
 * A duplicate key does not stop the parse (the last one wins): for an Ansible file a warning, as
 * Ansible's loader gives; `duplicateKeys: 'error'` for provision's own files (roles), which are strict.
 */
export function parseYaml(
  text: string,
  file: string,
  options: { duplicateKeys?: 'warning' | 'error' } = {},
): { source: YamlSource | null; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const json = isJson(text);
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    ...(json ? { version: '1.2' as const, schema: 'core' } : { version: '1.1' as const, merge: true, customTags: pyyamlTags }),
  });
  const problems: Problem[] = [];
  let fatal = false;
  for (const error of doc.errors) {
    if (error.code === 'DUPLICATE_KEY') {
      const key = keyTextAt(doc, text, error.pos[0]);
      if (options.duplicateKeys === 'error') problems.push(problemAt(file, lineCounter, error.pos[0], `duplicate key \`${key}\``));
      else
        problems.push({
          ...problemAt(file, lineCounter, error.pos[0], `duplicate key \`${key}\`; the last value is used (as Ansible does)`),
          severity: 'warning',
        });
    } else {
      fatal = true;
      problems.push(malformed(doc, file, lineCounter, error.pos[0], error.message));
    }
  }
  for (const warning of doc.warnings) {
    fatal = true;
    problems.push(problemAt(file, lineCounter, warning.pos[0], `malformed YAML: ${warning.message}`));
  }
  if (fatal) return { source: null, problems };
  documents.set(lineCounter, doc);
  rememberAliasTargets(doc);
  if (!json) dropAddedFinalNewline(doc, text);
  const root = (doc.contents as YamlNode | null) ?? null;
  let value: unknown;
  try {
    value = toValue(root, doc);
  } catch (e) {
    if (!(e instanceof YamlValueError)) throw e;
    problems.push({ ...positionOf(file, lineCounter, e.node ?? root), message: `malformed YAML: ${e.message}` });
    return { source: null, problems };
  }
  return { source: { file, doc, lineCounter, root, value }, problems };
}

export interface PairInfo {
  /** the key as a string, as JSON and Ansible's output would show it */
  key: string;
  /** the key as parsed (a number for `1:`, a boolean for `yes:`) */
  keyValue: unknown;
  keyNode: YamlNode | null;
  valueNode: YamlNode | null;
}

/**
 * The yaml package finds an alias's anchor by walking the document each time; remembered here, so a
 * file with a thousand aliases is not read a thousand times (documents are not changed after parsing).
 */
const aliasTargets = new WeakMap<object, unknown>();

/** Every alias's target, in one walk in document order (an alias means the latest anchor before it). */
function rememberAliasTargets(doc: Document): void {
  const anchors = new Map<string, unknown>();
  visit(doc, (_key, node) => {
    if (isAlias(node)) aliasTargets.set(node, anchors.get(node.source) ?? null);
    else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, node);
  });
}

function resolve(node: unknown, doc: Document | undefined, seen = new Set<unknown>()): YamlNode | null {
  let current = node;
  while (isAlias(current)) {
    if (!doc || seen.has(current)) return null;
    seen.add(current);
    let target = aliasTargets.get(current);
    if (target === undefined) {
      target = current.resolve(doc) ?? null;
      aliasTargets.set(current, target);
    }
    current = target;
  }
  return (current as YamlNode | null) ?? null;
}

export { resolve as resolveAlias };

function isMergeKey(node: unknown): boolean {
  return isScalar(node) && typeof node.value === 'symbol' && node.value.description === '<<';
}

export function keyString(value: unknown): string {
  if (typeof value === 'symbol') return value.description ?? '';
  return String(value);
}

/**
 * A YAML alias is a reference, so 20 lines can stand for 10^9 values ("billion laughs"); PyYAML shares
 * them, but every later step (merging, JSON, rendering) would copy them. Values reached through
 * aliases (and pairs merged with `<<`) are counted and the document is refused past this many.
 */
export const MAX_ALIAS_VALUES = 100_000;

/** Why a document has no value; `node` is where to point (the alias that went over the bound). */
export class YamlValueError extends Error {
  constructor(
    message: string,
    readonly node: YamlNode | null,
  ) {
    super(message);
  }
}

interface Expansion {
  active: Set<YamlNode>;
  /** > 0 while building a value reached through an alias */
  aliasDepth: number;
  aliasValues: number;
  /** the outermost alias being expanded, to point at when the bound is reached */
  alias: YamlNode | null;
}

const newExpansion = (): Expansion => ({ active: new Set(), aliasDepth: 0, aliasValues: 0, alias: null });

function countAliasValues(expansion: Expansion, count: number, node: unknown): void {
  expansion.aliasValues += count;
  if (expansion.aliasValues > MAX_ALIAS_VALUES) {
    const alias = isAlias(node) ? node : expansion.alias;
    const where = isAlias(alias) ? ` (\`*${alias.source}\` here)` : '';
    throw new YamlValueError(
      `aliases expand to more than ${MAX_ALIAS_VALUES.toLocaleString('en')} values${where}; refusing what looks like a YAML alias bomb`,
      alias ?? (node as YamlNode | null) ?? null,
    );
  }
}

/** The pairs of a mapping in document order with merge keys flattened the way PyYAML does. */
function flatten(node: YamlNode, doc: Document | undefined, expansion: Expansion = newExpansion()): PairInfo[] {
  if (!isMap(node)) return [];
  const merged: PairInfo[] = [];
  const own: PairInfo[] = [];
  for (const pair of node.items) {
    const keyNode = (pair.key as YamlNode | null) ?? null;
    const valueNode = (pair.value as YamlNode | null) ?? null;
    if (isMergeKey(keyNode)) {
      const source = resolve(valueNode, doc);
      if (isMap(source)) {
        const part = flatten(source, doc, expansion);
        countAliasValues(expansion, part.length, valueNode);
        merged.push(...part);
      } else if (isSeq(source)) {
        const parts: PairInfo[][] = [];
        for (const item of source.items) {
          const map = resolve(item, doc);
          if (!isMap(map)) throw new Error('a merge key (<<) needs a mapping or a list of mappings');
          const part = flatten(map, doc, expansion);
          countAliasValues(expansion, part.length, item);
          parts.push(part);
        }
        for (const part of parts.reverse()) merged.push(...part);
      } else throw new Error('a merge key (<<) needs a mapping or a list of mappings');
      continue;
    }
    const keyValue = build(keyNode, doc, expansion);
    own.push({ key: keyString(keyValue), keyValue, keyNode, valueNode });
  }
  return [...merged, ...own];
}

/**
 * The entries of a mapping node as a Python dict would hold them: a repeated key keeps its first
 * position and its last value. Returns [] for anything that is not a mapping.
 */
export function mapPairs(node: YamlNode | null, doc: Document | undefined, expansion?: Expansion): PairInfo[] {
  const map = resolve(node, doc);
  if (!map || !isMap(map)) return [];
  const byKey = new Map<string, PairInfo>();
  for (const pair of flatten(map, doc, expansion)) {
    byKey.set(pair.key, pair); // Map.set keeps the first position
  }
  return [...byKey.values()];
}

function setProp(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A node as plain data. Aliases are followed; a recursive alias or an alias bomb is a YamlValueError. */
export function toValue(node: YamlNode | null | undefined, doc: Document | undefined): unknown {
  return build(node ?? null, doc, newExpansion());
}

function build(node: YamlNode | null, doc: Document | undefined, expansion: Expansion): unknown {
  const aliased = isAlias(node);
  const target = resolve(node, doc);
  if (!target) return null;
  if (expansion.active.has(target)) throw new YamlValueError('recursive alias', node);
  if (aliased || expansion.aliasDepth > 0) countAliasValues(expansion, 1, node);
  if (isScalar(target)) return scalarValue(target);
  expansion.active.add(target);
  const outer = expansion.alias;
  if (aliased) {
    // the outermost alias: the one written where the huge value is used
    if (expansion.aliasDepth === 0) expansion.alias = node;
    expansion.aliasDepth++;
  }
  try {
    if (isSeq(target)) return target.items.map((item) => build(item as YamlNode, doc, expansion));
    if (isMap(target)) {
      const result: Record<string, unknown> = {};
      for (const pair of mapPairs(target, doc, expansion)) setProp(result, pair.key, build(pair.valueNode, doc, expansion));
      return result;
    }
    return null;
  } finally {
    expansion.active.delete(target);
    if (aliased) {
      expansion.aliasDepth--;
      expansion.alias = outer;
    }
  }
}

function scalarValue(scalar: YamlNode & { value: unknown }): unknown {
  return typeof scalar.value === 'symbol' ? keyString(scalar.value) : scalar.value;
}

/** The node at `key` inside a mapping, or at index `key` inside a sequence. */
export function childNode(
  node: YamlNode | null,
  key: string | number,
  doc: Document | undefined,
): { keyNode: YamlNode | null; valueNode: YamlNode | null } | null {
  const target = resolve(node, doc);
  if (!target) return null;
  if (isSeq(target)) {
    const index = typeof key === 'number' ? key : /^\d+$/.test(key) ? Number(key) : NaN;
    if (!Number.isInteger(index) || index < 0 || index >= target.items.length) return null;
    return { keyNode: null, valueNode: (target.items[index] as YamlNode | null) ?? null };
  }
  if (isMap(target)) {
    const pair = mapPairs(target, doc).find((p) => p.key === String(key));
    return pair ? { keyNode: pair.keyNode, valueNode: pair.valueNode } : null;
  }
  return null;
}

/** The node to point at for a pair's value: its key when the value is not written (`key:` alone). */
export function valueOrKey(pair: { keyNode: YamlNode | null; valueNode: YamlNode | null }): YamlNode | null {
  const v = pair.valueNode;
  const empty = !v || !v.range || (isScalar(v) && v.value === null && v.range[0] === v.range[1]);
  return empty ? (pair.keyNode ?? v) : v;
}

/** "a list", "a string"... for messages. */
export function describeType(value: unknown): string {
  if (value === null || value === undefined) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number') return Number.isInteger(value) ? 'an integer' : 'a number';
  return `a ${typeof value}`;
}
