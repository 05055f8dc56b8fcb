import type { ValidateFunction } from 'ajv';
import type { YamlSource } from './yaml/read-yaml.js';
import type { RoleManifest } from '../model/role-manifest.js';
import type { TemplateFiles } from './template-files.js';

/** A fact of a role's manifest (`facts:`), its version patterns compiled. */
export interface Fact {
  name: string;
  variable: string;
  label: string;
  /** candidates, the first found runs */
  programs: string[];
  args: string[];
  /** `both`: the version is read from stderr too (some programs print their version there) */
  output: 'stdout' | 'both';
  /** tried in order; the first capture group is the version */
  version: RegExp[];
  role: string;
}

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
  /** every template of the role (and the shared partials), read when the role was loaded */
  templates: TemplateFiles;
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
  /** the service versions its manifest declares */
  facts: Fact[];
}
