// Where a value of a parsed YAML document is: pure, so the stages after load can point at a role's
// or an inventory's line without reading any file.
import type { Position } from '../../model/inventory.js';
import { childNode, positionOf, valueOrKey } from './parse-yaml.js';
import type { YamlSource } from './parse-yaml.js';

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
