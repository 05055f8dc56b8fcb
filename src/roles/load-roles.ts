import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Problem } from '../errors.js';
import { compileSchema } from '../schema/ajv.js';
import { describeError, formatPath } from '../schema/describe-error.js';
import { positionAt, readYaml } from '../yaml/read-yaml.js';
import type { YamlSource } from '../yaml/read-yaml.js';
import { builtinRolesDir, displayPath, schemasDir, sharedTemplatesDir } from '../paths.js';
import type { PlainSource, Role } from './role.js';
import type { RoleManifest } from './types.js';
import { checkers } from '../validate/checkers/index.js';

let manifestValidator: ValidateFunction | undefined;

/** Compiled on first use, not on import: a run that loads no role (--version) does not pay for it. */
function validateManifest(): ValidateFunction {
  return (manifestValidator ??= compileSchema(JSON.parse(readFileSync(join(schemasDir, 'role.schema.json'), 'utf8'))));
}

export interface LoadRolesOptions {
  /**
   * Roles whose variable schema is compiled (and so checked) now; the others' on first use. Compiling
   * is most of the cost of loading a role, and a run needs only the roles its hosts name. Default: all.
   */
  compile?: (name: string) => boolean;
}

function loadRole(name: string, dir: string, problems: Problem[], compileNow: boolean): Role | undefined {
  const manifestRead = readYaml(displayPath(join(dir, 'role.yml')));
  problems.push(...manifestRead.problems);
  const manifestSource = manifestRead.source;
  if (!manifestSource) return undefined;
  const validate = validateManifest();
  if (!validate(manifestSource.value)) {
    for (const error of validate.errors ?? []) {
      const violation = describeError(error);
      problems.push({ ...positionAt(manifestSource, violation.path), variable: formatPath(violation.path) || undefined, message: `role ${name}: ${violation.message}` });
    }
    return undefined;
  }
  const manifest = manifestSource.value as RoleManifest;
  const sources = new Map<string, PlainSource>();
  manifest.resources.forEach((entry, index) => {
    const file = 'file' in entry ? entry.file : undefined;
    (file?.check ?? []).forEach((check, at) => {
      if (!checkers.has(check)) problems.push({ ...positionAt(manifestSource, ['resources', index, 'file', 'check', at]), message: `role ${name}: unknown check ${JSON.stringify(check)}; known checks: ${[...checkers.keys()].join(', ')}` });
    });
    const named = file?.source === undefined ? [] : [file.source].flat();
    named.forEach((source, at) => {
      const where = positionAt(manifestSource, ['resources', index, 'file', 'source', ...(Array.isArray(file!.source) ? [at] : [])]);
      const read = readPlainSource(dir, source);
      if (typeof read === 'string') problems.push({ ...where, message: `role ${name}: source ${JSON.stringify(source)}: ${read}` });
      else sources.set(source, read);
    });
  });

  let defaults: Record<string, unknown> = {};
  let defaultsSource: YamlSource | null = null;
  const defaultsFile = join(dir, 'defaults.yml');
  if (existsSync(defaultsFile)) {
    const read = readYaml(displayPath(defaultsFile));
    problems.push(...read.problems);
    if (read.source) {
      const data = read.source.value ?? {};
      if (typeof data !== 'object' || Array.isArray(data)) {
        problems.push({ file: read.source.file, line: 1, col: 1, message: `role ${name}: defaults must be a mapping of variables` });
      } else {
        defaults = data as Record<string, unknown>;
        defaultsSource = read.source;
      }
    }
  }

  const schemaFile = join(dir, 'schema.json');
  let schema: { properties?: Record<string, { secret?: boolean }> } = { type: 'object', properties: {} } as never;
  if (existsSync(schemaFile)) {
    try {
      schema = JSON.parse(readFileSync(schemaFile, 'utf8'));
    } catch (error) {
      problems.push({ file: displayPath(schemaFile), message: `role ${name}: schema is not valid JSON: ${(error as Error).message}` });
      return undefined;
    }
  }
  const fromUser = !dir.startsWith(`${builtinRolesDir}/`);
  let validateVariables: ValidateFunction | undefined;
  if (compileNow) {
    try {
      validateVariables = compileSchema(schema, { fromUser });
    } catch (error) {
      problems.push({ file: displayPath(schemaFile), message: `role ${name}: schema does not compile: ${(error as Error).message}` });
      return undefined;
    }
  }
  const properties = schema.properties ?? {};
  const knownVariables = new Set(Object.keys(properties));
  const secretVariables = new Set(Object.entries(properties).filter(([, p]) => p.secret === true).map(([k]) => k));
  for (const variable of Object.keys(defaults)) {
    if (!knownVariables.has(variable)) {
      problems.push({ ...positionAt(defaultsSource!, [variable]), variable, message: `role ${name}: default for a variable its schema does not declare` });
    }
  }
  return {
    name,
    dir,
    templatesDir: join(dir, 'templates'),
    sources,
    manifest,
    manifestSource,
    defaults,
    defaultsSource,
    knownVariables,
    secretVariables,
    get validateVariables() {
      return (validateVariables ??= compileSchema(schema, { fromUser }));
    },
  };
}

const sharedPrefix = 'shared/';

/**
 * A plain file a file resource installs verbatim: NAME in the role's files/, or shared/NAME in the
 * top-level templates/ (the partials the roles share). Read here, with the manifest, so rendering
 * never reads a file; a string is why it cannot be used.
 */
function readPlainSource(roleDir: string, name: string): PlainSource | string {
  const shared = name.startsWith(sharedPrefix);
  const relative = shared ? name.slice(sharedPrefix.length) : name;
  if (relative === '' || relative.startsWith('/') || relative.split('/').includes('..') || /\{[{%#]/.test(name)) return 'expected a file name inside the role\'s files/ (or shared/NAME), not an expression or a path leaving it';
  const file = join(shared ? sharedTemplatesDir : join(roleDir, 'files'), relative);
  if (!existsSync(file) || !statSync(file).isFile()) return `no such file ${displayPath(file)}`;
  return { text: readFileSync(file, 'utf8'), path: displayPath(file) };
}

/** Every role found in the search path; an earlier directory's role shadows a later one of the same name. */
export function loadRoles(searchPath: string[], options: LoadRolesOptions = {}): { roles: Map<string, Role>; problems: Problem[] } {
  const roles = new Map<string, Role>();
  const problems: Problem[] = [];
  for (const base of searchPath) {
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base).sort()) {
      const dir = join(base, name);
      if (roles.has(name) || !statSync(dir).isDirectory() || !existsSync(join(dir, 'role.yml'))) continue;
      const role = loadRole(name, dir, problems, options.compile?.(name) ?? true);
      if (role) roles.set(name, role);
    }
  }
  return { roles, problems };
}
