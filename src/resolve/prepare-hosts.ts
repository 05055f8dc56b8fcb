import { isAbsolute, resolve } from 'node:path';
import { isWarning, type Problem } from '../model/errors.js';
import type { Inventory, InventoryHost, Position } from '../model/inventory.js';
import { locate } from '../load/inventory/locate.js';
import type { Role } from '../load/role.js';
import { describeError, formatPath, show } from '../load/schema/describe-error.js';
import { positionAt } from '../load/yaml/position.js';
import { closest } from './suggest.js';
import { templateVars } from './template-vars.js';
import { maskSecrets } from './mask-secrets.js';
import { checkAssertions } from './assertions.js';
import { declaredRoles, rolesWellFormed } from './host-roles.js';
import { hostDirProblem, joinInside } from '../model/host-dir.js';
import type { HostAddress } from '../model/host-address.js';
import { connectionSettings } from './connection-settings.js';
import type { ValidateFunction } from 'ajv';
import type { CoreVariables } from '../load/core-variables.js';

/** A host ready to render: roles resolved, variables merged with role defaults, templated and checked. */
export interface PreparedHost {
  name: string;
  groups: string[];
  roles: string[];
  /** inventory variables only (what `hosts --vars` shows and ansible-inventory reports) */
  inventoryVars: Record<string, unknown>;
  /** role defaults < inventory < extra vars, templated: the context templates see */
  vars: Record<string, unknown>;
  connection: HostAddress;
  /** absolute directory the host's tree is placed under, or undefined for the real root */
  root?: string;
  /** values that must never be printed */
  secretValues: string[];
  /** `FILE:LINE:COL: ` where a variable of the host is set (inventory, else role defaults) */
  locateVariable?: (variable: string) => string | undefined;
  /** where a variable (or an element of it) of the host is set, for a problem found after this stage */
  positionOf?: (path: (string | number)[]) => Position;
}

export interface PrepareOptions {
  /** provision's own variables (the load stage read their schema) */
  core: CoreVariables;
  /** --root: overrides provision_root for every host */
  root?: string;
  /** what makes each host's name a directory besides a root (`render --out`), for the message */
  hostDirsFor?: string;
}

export function positionOfVariable(host: InventoryHost, rolesByName: Map<string, Role>, roles: string[], path: (string | number)[]): Position {
  const [variable, ...rest] = path;
  const origin = host.origins.get(String(variable));
  if (origin) return locate(origin, rest);
  for (const name of roles) {
    const role = rolesByName.get(name);
    if (role?.defaultsSource && String(variable) in role.defaults) return positionAt(role.defaultsSource, path);
  }
  return host.declaredAt;
}

function checkAgainst(
  validate: ValidateFunction,
  vars: Record<string, unknown>,
  where: (path: (string | number)[]) => Position,
  hostName: string,
  problems: Problem[],
): void {
  if (validate(vars)) return;
  for (const error of validate.errors ?? []) {
    const violation = describeError(error);
    const position = where(violation.path);
    problems.push({ ...position, hosts: [hostName], variable: formatPath(violation.path), message: violation.message });
  }
}

/** Every string inside a value: a vault-encrypted password may sit deep inside a mapping. */
function stringLeaves(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(stringLeaves);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(stringLeaves);
  return [];
}

export function prepareHost(
  host: InventoryHost,
  inventory: Inventory,
  rolesByName: Map<string, Role>,
  options: PrepareOptions,
  problems: Problem[],
): PreparedHost | undefined {
  const where = (path: (string | number)[]) => positionOfVariable(host, rolesByName, roles, path);
  const before = problems.length;
  let roles: string[] = [];
  if (rolesWellFormed(host.vars)) {
    roles = declaredRoles(host.vars);
    roles.forEach((name, index) => {
      if (!rolesByName.has(name)) {
        const suggestion = closest(name, rolesByName.keys());
        problems.push({
          ...where(['provision_roles', index]),
          hosts: [host.name],
          variable: `provision_roles[${index}]`,
          message: `unknown role ${show(name)}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; known roles: ${[...rolesByName.keys()].join(', ')}`,
        });
      }
    });
    for (const name of roles) {
      for (const required of rolesByName.get(name)?.manifest.requires ?? []) {
        if (!roles.includes(required))
          problems.push({ ...where(['provision_roles']), hosts: [host.name], variable: 'provision_roles', message: `role ${name} needs role ${required} too` });
      }
    }
  }

  // Merge: role defaults (in role order) < inventory and extra vars (already merged by the inventory).
  const merged: Record<string, unknown> = {};
  for (const name of roles) Object.assign(merged, rolesByName.get(name)?.defaults ?? {});
  Object.assign(merged, host.vars);
  const magic = {
    inventory_hostname: host.name,
    inventory_hostname_short: host.name.split('.')[0],
    group_names: host.groups.filter((g) => g !== 'all' && g !== 'ungrouped'),
    inventory_dir: host.inventoryDir ?? inventory.dir,
    inventory_file: host.inventoryFile ?? resolve(inventory.file),
  };
  const templated = templateVars({ ...merged, ...magic });
  for (const { variable, error } of templated.errors) {
    problems.push({
      ...where([variable]),
      hosts: [host.name],
      variable,
      message: `cannot template value: ${error.message
        .replace(/^\([^)]*\)\s*/, '')
        .replace(/^\[Line \d+, Column \d+\]\s*/, '')
        .replace(/^Error: /, '')
        .replace(/\s*\n\s*/g, ' ')}`,
    });
  }
  const vars = templated.vars;

  const secretNames = new Set<string>(Array.isArray(vars.provision_secret_vars) ? vars.provision_secret_vars.map(String) : []);
  for (const name of roles) for (const secret of rolesByName.get(name)?.secretVariables ?? []) secretNames.add(secret);
  for (const [name, origin] of host.origins) if (origin.secret) secretNames.add(name);
  const secretValues = [...secretNames].flatMap((n) => stringLeaves(vars[n])).filter((v) => v.length > 0);

  checkAgainst(options.core.validate, vars, where, host.name, problems);
  for (const name of roles) {
    const role = rolesByName.get(name);
    if (role) checkAgainst(role.validateVariables, vars, where, host.name, problems);
  }

  // Conditions between variables, once each has the right shape.
  if (problems.length === before)
    problems.push(
      ...checkAssertions(
        roles.flatMap((name) => rolesByName.get(name) ?? []),
        vars,
        where,
        host.name,
      ),
    );

  // A variable with a role's prefix that the role does not declare is a typo until proven otherwise.
  for (const variable of Object.keys(host.vars)) {
    const known = variable.startsWith(options.core.prefix) ? options.core : undefined;
    const owner =
      known ?? [...rolesByName.values()].map((r) => ({ prefix: r.manifest.prefix, variables: r.knownVariables })).find((r) => variable.startsWith(r.prefix));
    if (owner && !owner.variables.has(variable)) {
      const suggestion = closest(variable, owner.variables);
      problems.push({ ...where([variable]), hosts: [host.name], variable, message: `unknown variable${suggestion ? ` (did you mean ${suggestion}?)` : ''}` });
    }
  }
  // A message quotes the bad value; a secret's value is never shown, even when it is the bad one.
  for (const problem of problems.slice(before)) problem.message = maskSecrets(problem.message, secretValues);
  // Warnings (a role's assert of severity warning) do not stop the host.
  if (problems.slice(before).some((problem) => !isWarning(problem))) return undefined;

  const rootSetting = options.root ?? (vars.provision_root as string | undefined);
  const rootBase =
    options.root !== undefined
      ? resolve(options.root)
      : rootSetting !== undefined
        ? isAbsolute(rootSetting)
          ? rootSetting
          : resolve(host.origins.get('provision_root')?.sourceDir ?? inventory.dir, rootSetting)
        : undefined;
  const nameIsDir = options.hostDirsFor ?? (options.root !== undefined ? '--root' : rootSetting !== undefined ? 'provision_root' : undefined);
  const unfitName = nameIsDir === undefined ? undefined : hostDirProblem(host.name);
  if (unfitName) {
    problems.push({ ...host.declaredAt, hosts: [host.name], message: `${unfitName}: ${nameIsDir} places each host's tree under DIR/<host name>` });
    return undefined;
  }
  return {
    name: host.name,
    groups: host.groups,
    roles,
    inventoryVars: host.vars,
    vars,
    connection: connectionSettings(host.name, vars),
    root: rootBase === undefined ? undefined : joinInside(rootBase, host.name),
    secretValues,
    locateVariable: (variable) => {
      const at = positionOfVariable(host, rolesByName, roles, [variable]);
      return at.file ? `${at.file}:${at.line}:${at.col}: ` : undefined;
    },
    positionOf: where,
  };
}

/** The same problem found for several hosts (a bad group_vars value) is reported once, naming them all. */
export function mergeProblems(problems: Problem[]): Problem[] {
  const merged = new Map<string, Problem>();
  for (const problem of problems) {
    const key = JSON.stringify([problem.file, problem.line, problem.col, problem.variable, problem.message]);
    const existing = merged.get(key);
    if (existing) existing.hosts = [...new Set([...(existing.hosts ?? []), ...(problem.hosts ?? [])])];
    else merged.set(key, { ...problem, hosts: problem.hosts ? [...problem.hosts] : undefined });
  }
  return [...merged.values()];
}
