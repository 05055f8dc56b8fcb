import type { ValidateFunction } from 'ajv';
import type { YamlSource } from '../yaml/read-yaml.js';
import type { RoleManifest } from './types.js';

/** A file installed verbatim: its text and the path shown in messages. */
export interface PlainSource {
  text: string;
  path: string;
}

/** A role loaded from disk and checked: manifest, defaults with their positions, compiled variable schema. */
export interface Role {
  name: string;
  dir: string;
  templatesDir: string;
  /** the plain files its file resources install verbatim (`source:`), by name as the manifest gives it */
  sources: Map<string, PlainSource>;
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
