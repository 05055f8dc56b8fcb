// locate: where, in its source file, a part of a variable's value is written.

import type { Node as YamlNode } from 'yaml';
import { childNode, documentOf, positionOf, valueOrKey } from '../yaml/parse-yaml.js';
import type { Position, VarOrigin } from '../../model/inventory.js';

/**
 * The position of the node at `path` inside a variable's winning value. `path` is RELATIVE TO THE
 * VALUE: for an error in `acme_domains[1]`, call `locate(host.origins.get('acme_domains')!, [1])`;
 * `[]` gives the value itself. Mapping keys are strings, sequence indexes numbers (or digit strings).
 * When the path leaves what was written (a missing key, an index past the end, a scalar), the deepest
 * node found is returned. A value with no YAML source (`-e key=value`) gives line 1, column 1 of
 * `origin.file`.
 */
export function locate(origin: VarOrigin, path: readonly (string | number)[]): Position {
  if (!origin.node || !origin.lineCounter) return { file: origin.file, line: origin.line ?? 1, col: origin.col ?? 1 };
  const doc = documentOf(origin.lineCounter);
  let node: YamlNode = origin.node;
  for (const segment of path) {
    const child = childNode(node, segment, doc);
    const next = child ? valueOrKey(child) : null;
    if (!next) break;
    node = next;
  }
  return positionOf(origin.file, origin.lineCounter, node);
}
