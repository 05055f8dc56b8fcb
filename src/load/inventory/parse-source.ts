// One inventory file, read by the parser Ansible would pick for it (its plugin order: script, auto,
// yaml, ini): an executable with `#!` is run; YAML or JSON that is a mapping is a YAML inventory (or the
// `--list` export format, or a plugin configuration we cannot run); anything else is INI.

import { accessSync, closeSync, constants, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { isWarning, type Problem } from '../../model/errors.js';
import { parseIni } from './ini/parse-ini.js';
import { looksLikeListFormat, parseListFormat } from './json-list.js';
import type { InventoryModel } from './model.js';
import { buildModel } from './parse-inventory.js';
import { DEFAULT_SCRIPT_LIMITS, loadScriptInventory, type ScriptLimits } from './script-inventory.js';
import { checkInventorySchema } from './check-schema.js';
import { mapPairs, parseYaml, positionOf, type YamlSource } from '../yaml/parse-yaml.js';
import { positionAt } from '../yaml/position.js';
import type { Position } from '../../model/inventory.js';

/** Extensions Ansible's yaml plugin accepts (and files without one). */
const YAML_EXTENSIONS = new Set(['', '.yml', '.yaml', '.json']);

export interface SourceFile {
  /** as the user sees it (relative stays relative) */
  display: string;
  abs: string;
  /** the directory source the file was found in (absolute), when it came from one */
  inDirectory?: string;
}

/** A script found in a directory runs only when it really is inside it (not a link leading out). */
function outsideDirectory(file: SourceFile): boolean {
  if (!file.inDirectory) return false;
  try {
    const rel = path.relative(realpathSync(file.inDirectory), realpathSync(file.abs));
    return rel.startsWith('..') || path.isAbsolute(rel);
  } catch {
    return true;
  }
}

export interface ParseOptions {
  /** reads the whole file; throws an InputError (bounded reading lives with the caller) */
  read: (display: string, abs: string) => string;
  scriptLimits?: ScriptLimits;
}

function isScript(abs: string): boolean {
  try {
    accessSync(abs, constants.X_OK);
  } catch {
    return false;
  }
  // Ansible's script plugin also needs the file to run: without `#!` exec fails and the next plugin reads it
  const head = Buffer.alloc(2);
  let fd: number | undefined;
  try {
    fd = openSync(abs, 'r');
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** `[web]` on its own line before anything else: an INI inventory whatever its name. */
function firstLineIsSection(text: string): boolean {
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    return /^\[[^\]\s]+\]/.test(line);
  }
  return false;
}

function pluginKeyPosition(source: YamlSource, file: string): Position {
  const pair = mapPairs(source.root, source.doc).find((p) => p.key === 'plugin');
  return positionOf(file, source.lineCounter, pair?.keyNode ?? source.root);
}

/** Adds one inventory file's groups and hosts to `model`; returns its problems. */
export function parseSourceFile(file: SourceFile, model: InventoryModel, options: ParseOptions): Problem[] {
  if (isScript(file.abs)) {
    if (outsideDirectory(file))
      return [
        {
          file: file.display,
          message: `inventory script not run: it links to ${realpathSync(file.abs)}, outside ${file.inDirectory}; name it as a source of its own to run it`,
        },
      ];
    return loadScriptInventory(file.display, file.abs, model, options.scriptLimits ?? DEFAULT_SCRIPT_LIMITS);
  }
  const text = options.read(file.display, file.abs);
  const ext = path.extname(file.abs).toLowerCase();
  if (YAML_EXTENSIONS.has(ext)) {
    const parsed = parseYaml(text, file.display);
    const source = parsed.source;
    const value = source?.value;
    const errors = parsed.problems.filter((p) => !isWarning(p));
    if (source && errors.length === 0 && typeof value === 'object' && value !== null && !Array.isArray(value)) {
      if ('plugin' in value) {
        return [
          {
            ...pluginKeyPosition(source, file.display),
            message: `this is an inventory plugin configuration (\`plugin: ${String((value as { plugin: unknown }).plugin)}\`), which provision does not run; export what it finds and give provision that file: \`ansible-inventory -i ${file.display} --list > fleet.json\``,
          },
        ];
      }
      if (looksLikeListFormat(value)) return parseListFormat(value, { file: file.display, where: (keys) => positionAt(source, keys) }, model);
      const problems = [...parsed.problems, ...checkInventorySchema(source)];
      problems.push(...buildModel(source, model).problems);
      return problems;
    }
    // not a YAML mapping: Ansible's ini plugin tries next. A .yml file that is not INI keeps its YAML errors.
    if (ext !== '' && !firstLineIsSection(text)) {
      if (errors.length > 0 || !source) return parsed.problems;
      return [...parsed.problems, ...checkInventorySchema(source)];
    }
  }
  return parseIni(text, file.display, model);
}
