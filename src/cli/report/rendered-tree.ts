// `render --out DIR`: what the render stage made, written as files under DIR/<host>/<path>, so it can
// be read, diffed or checked by other tools without connecting to any host.
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../../model/errors.js';
import type { Problem } from '../../model/errors.js';
import { joinInside, OutsideTreeError } from '../../model/host-dir.js';
import type { DesiredState, Resource } from '../../model/desired.js';

/** What stands in for things only the host can make: keys and CSRs are never rendered here. */
function writeResource(base: string, resource: Resource): string | undefined {
  if (
    resource.kind === 'user' ||
    resource.kind === 'group' ||
    resource.kind === 'private_key' ||
    resource.kind === 'csr' ||
    resource.kind === 'placeholder_certificate'
  )
    return undefined;
  const path = joinInside(base, resource.path);
  if (resource.kind === 'directory') {
    mkdirSync(path, { recursive: true });
    return undefined;
  }
  mkdirSync(dirname(path), { recursive: true });
  if (resource.kind === 'symlink') {
    rmSync(path, { force: true });
    symlinkSync(resource.target, path);
    return path;
  }
  writeFileSync(path, resource.content);
  if (resource.mode) chmodSync(path, parseInt(resource.mode, 8) & 0o777);
  return path;
}

/**
 * Every host's files under `dir`; each host's directory and every path in it is checked before the
 * first file is written. Returns, per host, its directory and the number of files written.
 */
export function writeRenderedTree(dir: string, hosts: { name: string; desired: DesiredState }[]): { name: string; base: string; files: number }[] {
  const problems: Problem[] = [];
  for (const { name, desired } of hosts) {
    for (const resource of desired.resources) {
      if (!('path' in resource)) continue;
      try {
        joinInside(dir, name, resource.path);
      } catch (error) {
        if (!(error instanceof OutsideTreeError)) throw error;
        problems.push({ hosts: [name], message: `${resource.path}: ${error.message}` });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  return hosts.map(({ name, desired }) => {
    const base = joinInside(dir, name);
    let files = 0;
    for (const resource of desired.resources) if (writeResource(base, resource)) files++;
    return { name, base, files };
  });
}
