// Inventory sources as Ansible's InventoryManager takes them: each argument is a file or a directory;
// a directory stands for every file in it (subdirectories too) in name order, minus hidden names,
// group_vars/, host_vars/, vars_plugins/ and Ansible's ignored extensions (INVENTORY_IGNORE_EXTS: .ini
// and .cfg among them). group_vars/ and host_vars/ are looked up beside each argument only: in the
// directory itself, or beside the file.

import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../model/errors.js';
import type { SourceFile } from './parse-source.js';

// Ansible's REJECT_EXTS plus '.orig', '.ini', '.cfg', '.retry' (config/base.yml, INVENTORY_IGNORE_EXTS)
const IGNORED_EXTENSIONS = ['.pyc', '.pyo', '.swp', '.bak', '~', '.rpm', '.md', '.txt', '.rst', '.orig', '.ini', '.cfg', '.retry'];
const IGNORED_NAMES = new Set(['host_vars', 'group_vars', 'vars_plugins']);
/** A directory tree deeper or larger than this is not an inventory (or has a link loop). */
const MAX_DEPTH = 16;
const MAX_FILES = 10_000;

export function isIgnoredName(name: string): boolean {
  return name.startsWith('.') || IGNORED_NAMES.has(name) || IGNORED_EXTENSIONS.some((ext) => name.endsWith(ext));
}

export interface ExpandedSource {
  /** the argument as given */
  display: string;
  /** where group_vars/ and host_vars/ of this source are: the directory, or the file's directory */
  varsDir: { abs: string; display: string };
  files: SourceFile[];
  isDirectory: boolean;
}

/** Byte order, as Python's sorted(os.listdir(bytes)). */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function walk(top: string, abs: string, display: string, depth: number, seen: Set<string>, files: SourceFile[], problems: Problem[]): void {
  let real: string;
  try {
    real = realpathSync(abs);
  } catch (e) {
    problems.push({ file: display, message: `cannot read inventory directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  if (seen.has(real) || depth > MAX_DEPTH) {
    problems.push({ file: display, message: 'inventory directories nest too deep or link back to themselves' });
    return;
  }
  seen.add(real);
  let names: string[];
  try {
    names = readdirSync(abs).sort(byteOrder);
  } catch (e) {
    problems.push({ file: display, message: `cannot read inventory directory: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` });
    return;
  }
  for (const name of names) {
    if (isIgnoredName(name)) continue;
    const childAbs = path.join(abs, name);
    const childDisplay = path.join(display, name);
    let isDir: boolean;
    try {
      isDir = statSync(childAbs).isDirectory();
    } catch {
      // a dangling link: Ansible warns and goes on; so do we, by not listing it
      continue;
    }
    if (isDir) walk(top, childAbs, childDisplay, depth + 1, seen, files, problems);
    else files.push({ abs: childAbs, display: childDisplay, inDirectory: top });
    if (files.length > MAX_FILES) {
      problems.push({ file: display, message: `more than ${MAX_FILES} files in the inventory directory` });
      return;
    }
  }
  seen.delete(real);
}

/** One inventory argument; a missing path is a problem naming it. */
export function expandSource(display: string, cwd: string): { source?: ExpandedSource; problems: Problem[] } {
  const abs = path.resolve(cwd, display);
  let stat;
  try {
    stat = statSync(abs);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return {
      problems: [{ file: display, message: code === 'ENOENT' ? 'inventory file not found' : `cannot read inventory: ${code ?? (e as Error).message}` }],
    };
  }
  if (!stat.isDirectory()) {
    const varsDir = { abs: path.dirname(abs), display: path.isAbsolute(display) ? path.dirname(abs) : path.dirname(display) };
    return { source: { display, varsDir, files: [{ abs, display }], isDirectory: false }, problems: [] };
  }
  const files: SourceFile[] = [];
  const problems: Problem[] = [];
  walk(abs, abs, display, 0, new Set(), files, problems);
  return { source: { display, varsDir: { abs, display }, files, isDirectory: true }, problems };
}
