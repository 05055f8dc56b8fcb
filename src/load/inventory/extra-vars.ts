// `-e` extra vars, read as Ansible's load_extra_vars does: `@file` (YAML/JSON, relative to the current
// directory), an inline YAML/JSON mapping starting with `{`, or `key=value` pairs (values are strings).
// Later arguments override earlier ones; all of them beat every other variable.

import path from 'node:path';
import type { Problem } from '../../model/errors.js';
import { KvError, parseKv } from './kv.js';
import type { VarLayer } from './model.js';
import { readBoundedText } from './read-file.js';
import { decryptVarsFile } from './vault/decrypt-vars.js';
import type { VaultSecret } from './vault/vault-format.js';
import { describeType, mapPairs, parseYaml, positionOf, toValue, valueOrKey } from '../yaml/parse-yaml.js';

const FORMS = 'expected key=value pairs, a YAML/JSON mapping such as {"key": "value"}, or @file';

/**
 * How an inline argument is named in messages and origins: by its position among the -e arguments
 * (and the key, for key=value), never by its text, which may hold a secret (`-e token=...`).
 */
export function extraVarsLabel(position: number, key?: string): string {
  return key === undefined ? `-e #${position}` : `-e #${position} (${key})`;
}

function loadYamlMapping(text: string, file: string, layer: VarLayer, problems: Problem[], given: string, secret = false): void {
  const parsed = parseYaml(text, file);
  problems.push(...parsed.problems);
  const source = parsed.source;
  if (!source) return;
  if (source.value === null || typeof source.value !== 'object' || Array.isArray(source.value)) {
    problems.push({
      ...positionOf(file, source.lineCounter, source.root),
      message: `extra vars ${given} must be a mapping of variable names to values; found ${describeType(source.value)}`,
    });
    return;
  }
  for (const pair of mapPairs(source.root, source.doc)) {
    layer.set(pair.key, {
      value: toValue(pair.valueNode, source.doc),
      origin: { file, node: valueOrKey(pair), lineCounter: source.lineCounter, ...(secret ? { secret: true } : {}) },
    });
  }
}

export function loadExtraVars(args: readonly string[], cwd = process.cwd(), secrets: readonly VaultSecret[] = []): { layer: VarLayer; problems: Problem[] } {
  const layer: VarLayer = new Map();
  const problems: Problem[] = [];
  for (const [index, arg] of args.entries()) {
    if (!arg) continue;
    const position = index + 1;
    if (arg.startsWith('@')) {
      const file = arg.slice(1);
      const read = readBoundedText(path.resolve(cwd, file), file, { what: 'extra vars file' });
      if (read.problem) {
        problems.push({ ...read.problem, message: `extra vars file given as \`-e ${arg}\`: ${read.problem.message}` });
        continue;
      }
      const opened = decryptVarsFile(read.text, file, secrets);
      if (opened.problem) {
        problems.push(opened.problem);
        continue;
      }
      loadYamlMapping(opened.text, file, layer, problems, `given as \`-e ${arg}\``, opened.encrypted);
    } else if (arg[0] === '/' || arg[0] === '.') {
      problems.push({ file: extraVarsLabel(position), message: 'to read extra vars from a file, write `-e @FILE`' });
    } else if (arg[0] === '{' || arg[0] === '[') {
      loadYamlMapping(arg, extraVarsLabel(position), layer, problems, `in ${extraVarsLabel(position)}`);
    } else {
      let parsed: ReturnType<typeof parseKv>;
      try {
        parsed = parseKv(arg);
      } catch (e) {
        if (!(e instanceof KvError)) throw e;
        problems.push({ file: extraVarsLabel(position), message: `invalid extra vars: ${e.message}` });
        continue;
      }
      if (parsed.free.length > 0) {
        const words = parsed.free.length === 1 ? 'a word is' : `${parsed.free.length} words are`;
        problems.push({
          file: extraVarsLabel(position),
          message: `invalid extra vars: ${words} not key=value (not quoted here: it may be a secret); ${FORMS}`,
        });
        continue;
      }
      for (const [key, value] of Object.entries(parsed.vars)) {
        layer.set(key, { value, origin: { file: extraVarsLabel(position, key), node: null, lineCounter: null } });
      }
    }
  }
  return { layer, problems };
}
