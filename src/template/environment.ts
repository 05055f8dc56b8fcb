import { nunjucks } from './strict-nunjucks.js';
import { filters } from './filters.js';
import { versionTest } from './version.js';
import { registerGlobals } from './data-only-runtime.js';
import type { TemplateFiles } from '../load/template-files.js';

/**
 * Resolves a role's own templates by file name and the top-level partials as `shared/<file>`, from
 * what the load stage read. Compiled templates are cached by the environment, so each is compiled
 * once per run.
 */
class RoleTemplateLoader {
  constructor(private readonly files: TemplateFiles) {}

  getSource(name: string): { src: string; path: string; noCache: boolean } | null {
    const file = this.files.get(name);
    return file ? { src: file.src, path: file.path, noCache: false } : null;
  }
}

export type TemplateEnvironment = InstanceType<typeof nunjucks.Environment>;

export function createEnvironment(templates: TemplateFiles): TemplateEnvironment {
  // dev: keep nunjucks' own error objects, which carry the line, column and cause we report.
  // Undefined variables are caught by the strict lookups (strict-nunjucks.ts), which name them; a
  // variable set to null (`~` in YAML) prints as an empty string.
  const env = new nunjucks.Environment(new RoleTemplateLoader(templates) as unknown as nunjucks.ILoader, {
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
