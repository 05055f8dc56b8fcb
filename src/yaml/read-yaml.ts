import { readBoundedText } from '../inventory/read-file.js';
import type { Problem } from '../errors.js';
import type { Position } from '../inventory/types.js';
import { childNode, parseYaml, positionOf, valueOrKey } from './parse-yaml.js';
import type { YamlSource } from './parse-yaml.js';

export type { YamlSource };

/** Reads and parses one of provision's own YAML files (a role's) with PyYAML's rules, keeping positions; a duplicate key is an error. */
export function readYaml(file: string): { source?: YamlSource; problems: Problem[] } {
  const read = readBoundedText(file, file);
  if (read.problem) return { problems: [read.problem] };
  const { source, problems } = parseYaml(read.text, file, { duplicateKeys: 'error' });
  return { source: source ?? undefined, problems };
}

/** Position of the node at `path` from the document root (the deepest one that exists). */
export function positionAt(source: YamlSource, path: readonly (string | number)[]): Position {
  let node = source.root;
  for (const segment of path) {
    const child = childNode(node, segment, source.doc);
    const next = child ? valueOrKey(child) : null;
    if (!next) break;
    node = next;
  }
  return positionOf(source.file, source.lineCounter, node);
}
