import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Problem } from '../model/errors.js';
import { compileSchema } from './schema/ajv.js';
import { describeError, formatPath } from './schema/describe-error.js';
import { positionAt, readYaml } from './yaml/read-yaml.js';
import type { YamlSource } from './yaml/read-yaml.js';
import { builtinRolesDir, displayPath, schemasDir, sharedTemplatesDir } from '../model/paths.js';
import type { Fact, PlainSource, Role } from './role.js';
import type { RoleManifest } from '../model/role-manifest.js';
import { builtinCheckNames } from '../model/checker-names.js';
import { readTemplateFiles } from './template-files.js';

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
      problems.push({
        ...positionAt(manifestSource, violation.path),
        variable: formatPath(violation.path) || undefined,
        message: `role ${name}: ${violation.message}`,
      });
    }
    return undefined;
  }
  const manifest = manifestSource.value as RoleManifest;
  const at = (path: (string | number)[]) => positionAt(manifestSource, path);
  for (const [check, spec] of Object.entries(manifest.checks ?? {})) {
    if (spec.findings !== undefined) compilePattern(spec.findings, at(['checks', check, 'findings']), `role ${name}: check ${check}: findings`, problems);
  }
  const sources = new Map<string, PlainSource>();
  manifest.resources.forEach((entry, index) => {
    const file = 'file' in entry ? entry.file : undefined;
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
  const secretVariables = new Set(
    Object.entries(properties)
      .filter(([, p]) => p.secret === true)
      .map(([k]) => k),
  );
  for (const variable of Object.keys(defaults)) {
    if (!knownVariables.has(variable)) {
      problems.push({ ...positionAt(defaultsSource!, [variable]), variable, message: `role ${name}: default for a variable its schema does not declare` });
    }
  }
  const facts: Fact[] = (manifest.facts ?? []).map((fact, index) => {
    if (!knownVariables.has(fact.variable))
      problems.push({
        ...at(['facts', index, 'variable']),
        message: `role ${name}: fact ${fact.name} states ${fact.variable}, which its schema does not declare`,
      });
    const version = fact.version.map((pattern, n) =>
      compilePattern(pattern, at(['facts', index, 'version', n]), `role ${name}: fact ${fact.name}: version`, problems),
    );
    return {
      name: fact.name,
      variable: fact.variable,
      label: fact.label,
      programs: fact.programs,
      args: fact.args ?? [],
      output: fact.stderr ? 'both' : 'stdout',
      version: version.filter((p): p is RegExp => p !== undefined),
      role: name,
    };
  });
  return {
    name,
    dir,
    templatesDir: join(dir, 'templates'),
    templates: readTemplateFiles(join(dir, 'templates')),
    sources,
    manifest,
    manifestSource,
    defaults,
    defaultsSource,
    knownVariables,
    secretVariables,
    facts,
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
  if (relative === '' || relative.startsWith('/') || relative.split('/').includes('..') || /\{[{%#]/.test(name))
    return "expected a file name inside the role's files/ (or shared/NAME), not an expression or a path leaving it";
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
  checkAcrossRoles(roles, problems);
  return { roles, problems };
}

/** A manifest's regex (role data, never code), compiled once at load; a bad one is a problem at its place. */
function compilePattern(pattern: string, where: ReturnType<typeof positionAt>, what: string, problems: Problem[]): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch (error) {
    problems.push({ ...where, message: `${what}: not a valid regular expression: ${(error as Error).message}` });
    return undefined;
  }
}

/** The roles `name` requires, directly or through others, itself included. */
function requiredClosure(name: string, roles: Map<string, Role>): Set<string> {
  const seen = new Set<string>();
  const visit = (current: string) => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const next of roles.get(current)?.manifest.requires ?? []) visit(next);
  };
  visit(name);
  return seen;
}

/**
 * What only the whole set of roles decides: a fact or check name declared by two roles, and a file's
 * `check:` that is neither a built-in checker nor declared by its role or a role it requires.
 */
function checkAcrossRoles(roles: Map<string, Role>, problems: Problem[]): void {
  const factOwner = new Map<string, string>();
  const checkOwner = new Map<string, string>();
  for (const role of roles.values()) {
    const at = (path: (string | number)[]) => positionAt(role.manifestSource, path);
    role.facts.forEach((fact, index) => {
      const owner = factOwner.get(fact.name);
      if (owner)
        problems.push({ ...at(['facts', index, 'name']), message: `role ${role.name}: fact ${JSON.stringify(fact.name)} is declared by role ${owner} too` });
      else factOwner.set(fact.name, role.name);
    });
    for (const check of Object.keys(role.manifest.checks ?? {})) {
      const owner = checkOwner.get(check);
      if (owner) problems.push({ ...at(['checks', check]), message: `role ${role.name}: check ${JSON.stringify(check)} is declared by role ${owner} too` });
      else checkOwner.set(check, role.name);
    }
  }
  for (const role of roles.values()) {
    const declared = [...requiredClosure(role.name, roles)].flatMap((name) => Object.keys(roles.get(name)?.manifest.checks ?? {}));
    const known = [...new Set([...builtinCheckNames, ...declared])];
    role.manifest.resources.forEach((entry, index) => {
      const file = 'file' in entry ? entry.file : undefined;
      (file?.check ?? []).forEach((check, at) => {
        if (!known.includes(check))
          problems.push({
            ...positionAt(role.manifestSource, ['resources', index, 'file', 'check', at]),
            message: `role ${role.name}: unknown check ${JSON.stringify(check)}; known checks: ${known.join(', ')}`,
          });
      });
    });
  }
}
