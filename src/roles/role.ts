import type { ValidateFunction } from 'ajv';
import type { YamlSource } from '../yaml/read-yaml.js';
import type { RoleManifest } from './types.js';
import type { TemplateFiles } from './template-files.js';

/** A role loaded from disk and checked: manifest, defaults with their positions, compiled variable schema. */
export interface Role {
  name: string;
  dir: string;
  templatesDir: string;
  /** every template of the role (and the shared partials), read when the role was loaded */
  templates: TemplateFiles;
  manifest: RoleManifest;
  manifestSource: YamlSource;
  defaults: Record<string, unknown>;
  defaultsSource: YamlSource | null;
  /** variable names the schema declares */
  knownVariables: Set<string>;
  /** variables whose values must never be shown */
  secretVariables: Set<string>;
  validateVariables: ValidateFunction;
}
