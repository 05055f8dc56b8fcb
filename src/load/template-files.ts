// A role's templates, read by the load stage: every file under its templates/ folder, and the shared
// partials of the top-level templates/ as `shared/<file>`. Rendering then reads no file.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { displayPath, sharedTemplatesDir } from '../model/paths.js';

export interface TemplateFile {
  src: string;
  /** the file, as messages name it */
  path: string;
}

/** Template name (`site.conf.njk`, `shared/header.njk`) to its text. */
export type TemplateFiles = ReadonlyMap<string, TemplateFile>;

export const sharedPrefix = 'shared/';

function readTree(base: string, prefix: string, into: Map<string, TemplateFile>): void {
  let names: string[];
  try {
    names = readdirSync(base).sort();
  } catch {
    return; // a role without templates
  }
  for (const name of names) {
    const file = join(base, name);
    if (statSync(file).isDirectory()) readTree(file, `${prefix}${name}/`, into);
    else into.set(`${prefix}${name}`, { src: readFileSync(file, 'utf8'), path: displayPath(file) });
  }
}

let shared: Map<string, TemplateFile> | undefined;

/** The role's own templates and the shared partials; a role's own `shared/` folder never shadows them. */
export function readTemplateFiles(roleTemplatesDir: string): TemplateFiles {
  shared ??= (() => {
    const files = new Map<string, TemplateFile>();
    readTree(sharedTemplatesDir, sharedPrefix, files);
    return files;
  })();
  const files = new Map<string, TemplateFile>();
  readTree(roleTemplatesDir, '', files);
  for (const name of [...files.keys()]) if (name.startsWith(sharedPrefix)) files.delete(name);
  for (const [name, file] of shared) files.set(name, file);
  return files;
}
