// Shared by the checker tests: the example inventory's rendered desired state, a sandbox per run, and
// a fingerprint of the machine's own service configuration.
import { createHash } from 'node:crypto';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prepareProjectOrThrow } from '../../../src/pipeline/pipeline.js';
import type { RenderedHost as HostWork } from '../../../src/pipeline/pipeline.js';
import type { Checker, Finding } from '../../../src/validate/checker.js';
import type { CsrResource, FileResource } from '../../../src/model/desired.js';
import { requireTools } from '../../../src/validate/checkers/run-tool.js';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const exampleInventory = join(repoRoot, 'inventories/example/inventory.yml');
export const fixture = (name: string) => readFileSync(join(repoRoot, 'test/fixtures/validate', name), 'utf8');

const projects = new Map<string, HostWork[]>();

/** The example inventory, rendered (once per set of extra vars). */
export function exampleHost(name: 'web1.example.test' | 'mail1.example.test', extraVars: string[] = []): HostWork {
  const key = extraVars.join('\0');
  let work = projects.get(key);
  if (!work) {
    work = prepareProjectOrThrow(exampleInventory, { extraVars }).hosts;
    projects.set(key, work);
  }
  const host = work.find((w) => w.host.name === name);
  if (!host) throw new Error(`the example inventory has no host ${name}`);
  return host;
}

export function filesOf(work: HostWork, select: (path: string) => boolean): FileResource[] {
  const files = work.desired.resources.filter((r): r is FileResource => r.kind === 'file' && select(r.path));
  if (files.length === 0) throw new Error(`${work.host.name} renders no file the test selects`);
  return files;
}

export function csrsOf(work: HostWork): CsrResource[] {
  return work.desired.resources.filter((r): r is CsrResource => r.kind === 'csr');
}

/** A copy of a rendered file with other content (a seeded fault). */
export function withContent(file: FileResource, content: string, path = file.path): FileResource {
  return { ...file, id: `file:${path}`, path, content };
}

/** Runs a checker the way `provision validate` does: a fresh sandbox, removed afterwards. Fails (never skips) when a tool is missing. */
export async function runChecker(
  checker: Checker,
  work: HostWork,
  files: FileResource[],
  options: { csrs?: CsrResource[]; vars?: Record<string, unknown> } = {},
): Promise<Finding[]> {
  await requireTools(checker.tools);
  const sandbox = mkdtempSync(join(tmpdir(), `provision-test-${checker.name}-`));
  try {
    return await checker.run({
      host: work.host.name,
      vars: { ...work.host.vars, ...options.vars },
      files,
      csrs: options.csrs ?? [],
      desired: work.desired,
      sandbox,
    });
  } finally {
    rmSync(sandbox, { recursive: true, force: true });
  }
}

export const errorsOf = (findings: Finding[]) => findings.filter((f) => f.severity === 'error');

/** A readable dump for assertion messages. */
export const show = (findings: Finding[]) => JSON.stringify(findings, null, 2);

/** 1-based line of the first line of `content` that includes `text`. */
export function lineOf(content: string, text: string): number {
  const index = content.split('\n').findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`no line with ${JSON.stringify(text)}`);
  return index + 1;
}

/** Every entry under `dirs`: path, type, mode, mtime, content or link target, hashed together. */
export function fingerprint(dirs: string[]): string {
  const hash = createHash('sha256');
  const walk = (path: string) => {
    let stat;
    try {
      stat = lstatSync(path);
    } catch {
      hash.update(`${path} absent\n`);
      return;
    }
    hash.update(`${path} ${stat.mode} ${stat.uid}:${stat.gid} ${stat.size} ${stat.mtimeMs}\n`);
    try {
      if (stat.isSymbolicLink()) hash.update(readlinkSync(path));
      else if (stat.isDirectory()) for (const name of readdirSync(path).sort()) walk(join(path, name));
      else if (stat.isFile()) hash.update(readFileSync(path));
    } catch (error) {
      // not readable by a non-root test run (Dovecot's auth files): size and mtime stand for the content
      if ((error as NodeJS.ErrnoException).code !== 'EACCES') throw error;
    }
  };
  for (const dir of dirs) walk(dir);
  return hash.digest('hex');
}
