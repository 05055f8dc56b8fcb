import { readBoundedText } from '../inventory/read-file.js';
import type { Problem } from '../../model/errors.js';
import { parseYaml } from './parse-yaml.js';
import type { YamlSource } from './parse-yaml.js';

export type { YamlSource };

/** Reads and parses one of provision's own YAML files (a role's) with PyYAML's rules, keeping positions; a duplicate key is an error. */
export function readYaml(file: string): { source?: YamlSource; problems: Problem[] } {
  const read = readBoundedText(file, file);
  if (read.problem) return { problems: [read.problem] };
  const { source, problems } = parseYaml(read.text, file, { duplicateKeys: 'error' });
  return { source: source ?? undefined, problems };
}

export { positionAt } from './position.js';
