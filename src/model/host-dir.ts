// A host's name becomes a directory (under --root, provision_root and render --out): it must stay one
// plain path component, or `../outside` would put a host's keys and scripts outside the tree.
import { isAbsolute, relative, resolve } from 'node:path';

/** Why `name` cannot be a directory name, or undefined when it can. */
export function hostDirProblem(name: string): string | undefined {
  if (name === '') return 'an empty host name cannot name a directory';
  if (name === '.' || name === '..') return `host name ${JSON.stringify(name)} cannot name a directory (it is "." or "..")`;
  if (name.includes('/')) return `host name ${JSON.stringify(name)} cannot name a directory (it holds "/")`;
  if (name.includes('\0')) return `host name ${JSON.stringify(name)} cannot name a directory (it holds a NUL byte)`;
  return undefined;
}

export class OutsideTreeError extends Error {}

/**
 * `base` joined with `parts`, refused unless the result is `base` itself or inside it. Absolute parts
 * (a resource's path) are taken as relative to `base`, as a DESTDIR does.
 */
export function joinInside(base: string, ...parts: string[]): string {
  const root = resolve(base);
  const joined = resolve(root, ...parts.map((p) => p.replace(/^\/+/, '')));
  const rel = relative(root, joined);
  if (rel !== '' && (rel === '..' || rel.startsWith('../') || isAbsolute(rel))) {
    throw new OutsideTreeError(`${JSON.stringify(parts.join('/'))} leads outside ${root}`);
  }
  return joined;
}
