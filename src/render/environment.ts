import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nunjucks } from './strict-nunjucks.js';
import { filters } from './filters.js';
import { versionTest } from './version.js';
import { registerGlobals } from './data-only-runtime.js';
import { displayPath, sharedTemplatesDir } from '../paths.js';

const sharedPrefix = 'shared/';

/**
 * Resolves a role's own templates by file name and the top-level partials as `shared/<file>`.
 * Compiled templates are cached by the environment, so each is compiled once per run.
 */
class RoleTemplateLoader {
  constructor(private readonly roleTemplatesDir: string) {}

  getSource(name: string): { src: string; path: string; noCache: boolean } | null {
    const base = name.startsWith(sharedPrefix) ? sharedTemplatesDir : this.roleTemplatesDir;
    const relativeName = name.startsWith(sharedPrefix) ? name.slice(sharedPrefix.length) : name;
    if (relativeName.split('/').includes('..')) return null;
    const file = join(base, relativeName);
    if (!existsSync(file)) return null;
    return { src: readFileSync(file, 'utf8'), path: displayPath(file), noCache: false };
  }
}

export type TemplateEnvironment = InstanceType<typeof nunjucks.Environment>;

export function createEnvironment(roleTemplatesDir: string): TemplateEnvironment {
  // dev: keep nunjucks' own error objects, which carry the line, column and cause we report.
  // Undefined variables are caught by the strict lookups (strict-nunjucks.ts), which name them; a
  // variable set to null (`~` in YAML) prints as an empty string.
  const env = new nunjucks.Environment(new RoleTemplateLoader(roleTemplatesDir) as unknown as nunjucks.ILoader, {
    autoescape: false,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
    dev: true,
  });
  registerGlobals(env as unknown as { globals: Record<string, unknown> });
  for (const [name, filter] of Object.entries(filters)) env.addFilter(name, filter);
  (env as unknown as { addTest(name: string, test: (...args: unknown[]) => boolean): void }).addTest('version', versionTest as (...args: unknown[]) => boolean);
  return env;
}
