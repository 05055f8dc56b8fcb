import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import type { Problem } from '../errors.js';
import type { Position } from '../inventory/types.js';

/** A parsed YAML file that still knows where each value came from. */
export interface YamlSource {
  file: string;
  data: unknown;
  root: YamlNode | null;
  lineCounter: LineCounter;
}

/** Parse YAML the way Ansible's PyYAML does (YAML 1.1: yes/no booleans, 0755 octal, merge keys). */
export function parseYaml(file: string, text: string): { source?: YamlSource; problems: Problem[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { version: '1.1', merge: true, uniqueKeys: true, lineCounter, prettyErrors: false });
  const problems: Problem[] = doc.errors.map((error) => {
    const pos = lineCounter.linePos(error.pos[0]);
    return { file, line: pos.line, col: pos.col, message: `invalid YAML: ${error.message.split('\n')[0]}` };
  });
  if (problems.length > 0) return { problems };
  return { source: { file, data: doc.toJS({ maxAliasCount: 1000 }), root: doc.contents as YamlNode | null, lineCounter }, problems };
}

export function readYaml(file: string): { source?: YamlSource; problems: Problem[] } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [{ file, message: `cannot read: ${(error as Error).message}` }] };
  }
  return parseYaml(file, text);
}

/** The deepest node along `path` below `node`. */
export function nodeAt(node: YamlNode | null, path: (string | number)[]): YamlNode | null {
  let current: YamlNode | null = node;
  for (const part of path) {
    if (isMap(current)) {
      const pair = current.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(part));
      if (!pair || !pair.value) return current;
      current = pair.value as YamlNode;
    } else if (isSeq(current) && typeof part === 'number' && current.items[part]) {
      current = current.items[part] as YamlNode;
    } else {
      return current;
    }
  }
  return current;
}

/** Position of the node at `path`; for a missing key, the position of the mapping that lacks it. */
export function positionAt(source: Pick<YamlSource, 'file' | 'root' | 'lineCounter'>, path: (string | number)[]): Position {
  const node = nodeAt(source.root, path);
  if (!node?.range) return { file: source.file, line: 1, col: 1 };
  const { line, col } = source.lineCounter.linePos(node.range[0]);
  return { file: source.file, line, col };
}

/** For a key of a mapping, the position of the key itself (better for "unknown variable" messages). */
export function keyPosition(source: Pick<YamlSource, 'file' | 'root' | 'lineCounter'>, key: string): Position | undefined {
  if (!isMap(source.root)) return undefined;
  const pair = source.root.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
  const keyNode = pair?.key as YamlNode | undefined;
  if (!keyNode?.range) return undefined;
  const { line, col } = source.lineCounter.linePos(keyNode.range[0]);
  return { file: source.file, line, col };
}
