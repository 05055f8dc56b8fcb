import { join } from 'node:path';
import { InputError, isWarning, UsageError } from '../errors.js';
import type { Problem } from '../errors.js';
import { loadInventory, selectHosts } from '../inventory/index.js';
import type { Inventory } from '../inventory/types.js';
import type { LoadOptions } from '../inventory/load.js';
import { loadRoles } from '../roles/load-roles.js';
import type { Role } from '../roles/role.js';
import { builtinRolesDir } from '../paths.js';
import { prepareRenderers, renderHost } from '../render/render-host.js';
import type { DesiredState } from '../state/desired.js';
import { mergeProblems, positionOfVariable, prepareHost } from '../vars/prepare-hosts.js';
import { checkPathRules } from '../render/path-rules.js';
import type { PreparedHost } from '../vars/prepare-hosts.js';
import { declaredRoles } from '../vars/host-roles.js';

export interface ProjectOptions {
  extraVars?: string[];
  limit?: string;
  root?: string;
  /** each host's name becomes a directory for this reason (`render --out`) even without a root */
  hostDirsFor?: string;
}

export interface HostWork {
  host: PreparedHost;
  desired: DesiredState;
  /** renders the host again with other variables (the versions its probe found) */
  render?: (vars: Record<string, unknown>) => { state: DesiredState; problems: Problem[] };
}

/** Roles beside the inventory shadow the built-in ones of the same name. */
export function roleSearchPath(inventory: Inventory): string[] {
  return [join(inventory.dir, 'roles'), builtinRolesDir];
}

/** The roles some host of the inventory names in provision_roles (extra vars included). */
function rolesInUse(inventory: Inventory): Set<string> {
  return new Set(inventory.hosts.flatMap((host) => declaredRoles(host.vars)));
}

/**
 * `onlyRolesInUse`: compile the variable schemas of the roles the inventory's hosts name, not every
 * role on the search path (a role nobody uses is not checked; `validate` and `hosts` still check all).
 */
export function loadInventoryAndRoles(
  file: string | readonly string[],
  extraVars: string[] | undefined,
  onlyRolesInUse = false,
  loadOptions: Pick<LoadOptions, 'keepInlineVaultWithoutPassword'> = {},
): { inventory: Inventory; roles: Map<string, Role> } {
  const inventory = loadInventory(file, { extraVars, ...loadOptions });
  const inUse = onlyRolesInUse ? rolesInUse(inventory) : undefined;
  const { roles, problems } = loadRoles(roleSearchPath(inventory), { compile: inUse && ((name) => inUse.has(name)) });
  if (problems.length > 0) throw new InputError(problems);
  return { inventory, roles };
}

/**
 * Loads, resolves, checks and renders every selected host, collecting every problem instead of stopping
 * at the first: hosts that are fine are rendered even when others are not (validate reports both).
 */
export function analyzeProject(file: string | readonly string[], options: ProjectOptions, onlyRolesInUse = false): { work: HostWork[]; problems: Problem[] } {
  let loaded;
  try {
    loaded = loadInventoryAndRoles(file, options.extraVars, onlyRolesInUse);
  } catch (error) {
    if (error instanceof InputError) return { work: [], problems: [...error.warnings, ...error.problems] };
    throw error;
  }
  const { inventory, roles } = loaded;
  const selected = selectHosts(inventory, options.limit);
  const label = [file].flat().join(' ');
  if (selected.length === 0) throw new UsageError(options.limit ? `--limit ${options.limit} matches no host in ${label}` : `${label} declares no host`);

  const problems: Problem[] = [...(inventory.warnings ?? [])];
  const renderers = prepareRenderers(roles.values());
  const work: HostWork[] = [];
  const declaredByRoles = new Map<string, Set<string>>();
  for (const inventoryHost of selected) {
    const host = prepareHost(inventoryHost, inventory, roles, { root: options.root, hostDirsFor: options.hostDirsFor }, problems);
    if (!host) continue;
    const { state, problems: renderProblems } = renderHost(host.name, host.roles, host.vars, renderers);
    if (renderProblems.length === 0) {
      const rolesKey = host.roles.join('\n');
      let declared = declaredByRoles.get(rolesKey);
      if (!declared) declaredByRoles.set(rolesKey, (declared = new Set(host.roles.flatMap((name) => [...(roles.get(name)?.knownVariables ?? [])]))));
      const where = (path: (string | number)[]) => positionOfVariable(inventoryHost, roles, host.roles, path);
      renderProblems.push(...checkPathRules({ state, vars: host.vars, declared, fromInventory: (name) => inventoryHost.origins.has(name), where }, host.name));
    }
    problems.push(...renderProblems);
    if (renderProblems.length === 0) work.push({ host, desired: state, render: (vars) => renderHost(host.name, host.roles, vars, renderers) });
  }
  return { work, problems: mergeProblems(problems) };
}

/**
 * Everything before the first host is touched: load, resolve, check and render every selected host.
 * Throws one InputError with every problem found, so nothing runs on bad input. Warnings do not stop
 * it (the load stage noted them for the CLI to print).
 */
export function loadProject(file: string | readonly string[], options: ProjectOptions): HostWork[] {
  const { work, problems } = analyzeProject(file, options, true);
  const errors = problems.filter((p) => !isWarning(p));
  if (errors.length > 0) throw new InputError(errors, problems.filter(isWarning));
  return work;
}
