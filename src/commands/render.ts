import { mkdirSync, writeFileSync, chmodSync, symlinkSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExitCode, InputError } from '../errors.js';
import type { Problem } from '../errors.js';
import { joinInside, OutsideTreeError } from '../host-dir.js';
import { prepareProjectOrThrow } from '../pipeline.js';
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

/** `provision render --out DIR`: every host's files under DIR/<host>/<path>, without connecting. */
export async function renderCommand(options: RenderCommandOptions): Promise<number> {
  const work = prepareProjectOrThrow(options.inventory, { extraVars: options.extraVars, limit: options.limit, hostDirsFor: 'render --out' }).hosts;
  const out = resolve(options.out);
  // Every host's directory and every path in it is checked before the first file is written.
  const problems: Problem[] = [];
  for (const { host, desired } of work) {
    for (const resource of desired.resources) {
      if (!('path' in resource)) continue;
      try {
        joinInside(out, host.name, resource.path);
      } catch (error) {
        if (!(error instanceof OutsideTreeError)) throw error;
        problems.push({ hosts: [host.name], message: `${resource.path}: ${error.message}` });
      }
    }
  }
  if (problems.length > 0) throw new InputError(problems);
  for (const { host, desired } of work) {
    const base = joinInside(out, host.name);
    let count = 0;
    for (const resource of desired.resources) if (writeResource(base, resource)) count++;
    process.stdout.write(`${host.name}: ${count} files under ${base}\n`);
  }
  return ExitCode.ok;
}
