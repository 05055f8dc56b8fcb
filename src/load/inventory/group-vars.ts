// group_vars/ and host_vars/ beside the inventory, as Ansible's host_group_vars plugin and
// DataLoader.find_vars_files read them.

import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../model/errors.js';
import type { VarLayer } from './model.js';
import { readBoundedText } from './read-file.js';
import { decryptVarsFile } from './vault/decrypt-vars.js';
import type { VaultSecret } from './vault/vault-format.js';
import { describeType, mapPairs, parseYaml, positionOf, toValue, valueOrKey } from '../yaml/parse-yaml.js';

const EXTENSIONS = ['.yml', '.yaml', '.json'];

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Files of a vars directory: sorted, hidden files and `~` backups skipped, subdirectories without an extension recursed. */
function dirVarsFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (entry.startsWith('.') || entry.endsWith('~')) continue;
    const ext = path.extname(entry);
    const full = path.join(dir, entry);
    if (isDirectory(full) && !ext) found.push(...dirVarsFiles(full));
    else if (isFile(full) && (!ext || EXTENSIONS.includes(ext))) found.push(full);
  }
  return found;
}

/**
 * The files holding `name`'s variables in `dir`: the first of `name` (a file, or a directory of files),
 * `name.yml`, `name.yaml`, `name.json` that exists. Absolute paths, in merge order.
 */
export function findVarsFiles(dir: string, name: string): string[] {
  // Ansible skips entity names that look like absolute paths ("chroot" style inventory hosts)
  if (name.startsWith(path.sep)) return [];
  for (const ext of ['', ...EXTENSIONS]) {
    const candidate = path.join(dir, name + ext);
    if (!existsSync(candidate)) continue;
    return isDirectory(candidate) ? dirVarsFiles(candidate) : [candidate];
  }
  return [];
}

export interface VarsFilesResult {
  layer: VarLayer;
  /** the files read, as the user sees them */
  files: string[];
  problems: Problem[];
}

/**
 * Reads and merges the vars files of one group or host. `displayDir` is the inventory's directory as
 * the user named it (relative stays relative), `absDir` the same directory absolute.
 */
export function loadVarsFiles(
  absDir: string,
  displayDir: string,
  subdir: 'group_vars' | 'host_vars',
  name: string,
  secrets: readonly VaultSecret[] = [],
): VarsFilesResult {
  const layer: VarLayer = new Map();
  const problems: Problem[] = [];
  const files: string[] = [];
  const base = path.join(absDir, subdir);
  if (!existsSync(base)) return { layer, files, problems };
  if (!isDirectory(base)) {
    // Ansible's host_group_vars plugin: "Found group_vars that is not a directory, skipping"
    problems.push({ file: path.join(displayDir, subdir), message: `${subdir} is not a directory; skipped (as Ansible does)`, severity: 'warning' });
    return { layer, files, problems };
  }
  for (const file of findVarsFiles(base, name)) {
    const display = path.join(displayDir, path.relative(absDir, file));
    files.push(display);
    const read = readBoundedText(file, display, { tree: absDir, what: 'vars file' });
    if (read.problem) {
      problems.push(read.problem);
      continue;
    }
    const opened = decryptVarsFile(read.text, display, secrets);
    if (opened.problem) {
      problems.push(opened.problem);
      continue;
    }
    const text = opened.text;
    const parsed = parseYaml(text, display);
    problems.push(...parsed.problems);
    const source = parsed.source;
    if (!source || source.value === null) continue; // malformed (reported) or empty (ignored, like Ansible)
    if (typeof source.value !== 'object' || Array.isArray(source.value)) {
      problems.push({
        ...positionOf(display, source.lineCounter, source.root),
        message: `a vars file must be a mapping of variable names to values; found ${describeType(source.value)}`,
      });
      continue;
    }
    for (const pair of mapPairs(source.root, source.doc)) {
      layer.set(pair.key, {
        value: toValue(pair.valueNode, source.doc),
        origin: { file: display, node: valueOrKey(pair), lineCounter: source.lineCounter, ...(opened.encrypted ? { secret: true } : {}) },
      });
    }
  }
  return { layer, files, problems };
}
