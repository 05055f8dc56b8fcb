import { mkdirSync, writeFileSync, chmodSync, symlinkSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { ExitCode } from '../errors.js';
import { loadProject } from '../project/load-project.js';
import type { Resource } from '../state/desired.js';

export interface RenderCommandOptions {
  inventory: string | readonly string[];
  out: string;
  limit?: string;
  extraVars: string[];
}

/** What stands in for things only the host can make: keys and CSRs are never rendered here. */
function writeResource(base: string, resource: Resource): string | undefined {
  if (resource.kind === 'user' || resource.kind === 'group' || resource.kind === 'private_key' || resource.kind === 'csr' || resource.kind === 'placeholder_certificate') return undefined;
  const path = join(base, resource.path);
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

/** `provision render --out DIR`: every host's files under DIR/<host>/<path>, without connecting. */
export async function renderCommand(options: RenderCommandOptions): Promise<number> {
  const work = loadProject(options.inventory, { extraVars: options.extraVars, limit: options.limit });
  const out = resolve(options.out);
  for (const { host, desired } of work) {
    const base = join(out, host.name);
    let count = 0;
    for (const resource of desired.resources) if (writeResource(base, resource)) count++;
    process.stdout.write(`${host.name}: ${count} files under ${base}\n`);
  }
  return ExitCode.ok;
}
