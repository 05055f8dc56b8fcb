// The pipeline: every stage, called in order. Read this file first; each stage lives in the folder of
// its name, and ARCHITECTURE.md says what flows between them.
//
//   prepareProject   load -> resolve -> render        before any host is touched, for every host
//   convergeHost     probe -> [render again with the host's facts] -> plan -> apply | verify
//   runHosts         convergeHost on every host, `forks` at a time, over one connector
//
// Commands (src/commands) call these and hand the results to the report (src/report). Nothing here
// knows a role by name: what a role needs is in its manifest.
import { applyScript, verifyScript } from '../apply/apply-script.js';
import { parseApply } from '../host/protocol/parse-apply.js';
import { settle } from '../apply/settle.js';
import { Connector } from '../host/connect.js';
import type { Connection, ConnectOptions } from '../host/types.js';
import { ConnectionError } from '../host/types.js';
import { InputError, isWarning, UsageError } from '../model/errors.js';
import type { Problem } from '../model/errors.js';
import { applyFacts, parseFacts, wantedFacts } from '../probe/facts.js';
import { loadInventory, selectHosts } from '../load/inventory/index.js';
import type { LoadOptions } from '../load/inventory/load.js';
import type { Inventory } from '../model/inventory.js';
import { builtinRolesDir } from '../model/paths.js';
import { planHost } from '../plan/plan-host.js';
import { hasWork, recordOnly } from '../plan/types.js';
import { carryOver, mergeActual } from '../probe/carry-over.js';
import { ProbeOutputError } from '../host/protocol/parse-probe.js';
import { probeHost } from '../probe/probe-host.js';
import { checkPathRules } from '../render/path-rules.js';
import { prepareRenderers, renderHost } from '../render/render-host.js';
import type { RoleRenderer } from '../render/render-host.js';
import { loadRoles } from '../load/load-roles.js';
import type { Fact, Role } from '../load/role.js';
import { loadCoreVariables } from '../load/core-variables.js';
import type { CoreVariables } from '../load/core-variables.js';
import type { HostResult } from '../apply/host-result.js';
import type { ActualState } from '../model/actual.js';
import type { DesiredState } from '../model/desired.js';
import { targetChecksFor } from '../apply/target-checks.js';
import { withRotations } from '../plan/rotation.js';
import { declaredRoles } from '../resolve/host-roles.js';
import { mergeProblems, positionOfVariable, prepareHost } from '../resolve/prepare-hosts.js';
import { hostWarnings } from '../resolve/assertions.js';
import type { PreparedHost } from '../resolve/prepare-hosts.js';
import { formatProblem } from '../model/errors.js';
import { join } from 'node:path';
import { inParallel } from '../model/parallel.js';

export interface ProjectOptions {
  extraVars?: string[];
  limit?: string;
  root?: string;
  /** each host's name becomes a directory for this reason (`render --out`) even without a root */
  hostDirsFor?: string;
}

/** A host after the render stage: its resolved variables and the desired state its roles rendered. */
export interface RenderedHost {
  host: PreparedHost;
  desired: DesiredState;
}

export interface Project {
  inventory: Inventory;
  roles: Map<string, Role>;
  /** the roles' compiled templates: a host whose facts change its variables is rendered again with them */
  renderers: Map<string, RoleRenderer>;
  /** every fact the loaded roles declare; the probe gathers those whose variable a host has */
  facts: Fact[];
  hosts: RenderedHost[];
  /** every problem and warning of every stage so far (a host with an error is left out of `hosts`) */
  problems: Problem[];
}

// ---- load ---------------------------------------------------------------------------------------

/** Roles beside the inventory shadow the built-in ones of the same name. */
export function roleSearchPath(inventory: Inventory): string[] {
  return [join(inventory.dir, 'roles'), builtinRolesDir];
}

/**
 * The load stage: inventory sources (vault values decrypted) and role manifests. `onlyRolesInUse`
 * compiles the variable schemas of the roles some host names, not every role on the search path
 * (`validate` and `hosts` check all).
 */
export function load(
  sources: string | readonly string[],
  extraVars: string[] | undefined,
  options: { onlyRolesInUse?: boolean } & Pick<LoadOptions, 'keepInlineVaultWithoutPassword'> = {},
): { inventory: Inventory; roles: Map<string, Role>; core: CoreVariables } {
  const inventory = loadInventory(sources, { extraVars, keepInlineVaultWithoutPassword: options.keepInlineVaultWithoutPassword });
  const inUse = options.onlyRolesInUse ? new Set(inventory.hosts.flatMap((host) => declaredRoles(host.vars))) : undefined;
  const { roles, problems } = loadRoles(roleSearchPath(inventory), { compile: inUse && ((name) => inUse.has(name)) });
  if (problems.length > 0) throw new InputError(problems);
  return { inventory, roles, core: loadCoreVariables() };
}

// ---- load -> resolve -> render --------------------------------------------------------------------

/**
 * Everything before the first host is touched, for every selected host, collecting every problem
 * instead of stopping at the first: hosts that are fine are rendered even when others are not
 * (validate reports both).
 */
export function prepareProject(sources: string | readonly string[], options: ProjectOptions, onlyRolesInUse = false): Project {
  let loaded;
  try {
    loaded = load(sources, options.extraVars, { onlyRolesInUse });
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { inventory: undefined as never, roles: new Map(), renderers: new Map(), facts: [], hosts: [], problems: [...error.warnings, ...error.problems] };
  }
  const { inventory, roles, core } = loaded;
  const selected = selectHosts(inventory, options.limit);
  const label = [sources].flat().join(' ');
  if (selected.length === 0) throw new UsageError(options.limit ? `--limit ${options.limit} matches no host in ${label}` : `${label} declares no host`);

  const problems: Problem[] = [...(inventory.warnings ?? [])];
  const renderers = prepareRenderers(roles.values());
  const hosts: RenderedHost[] = [];
  for (const inventoryHost of selected) {
    // resolve: precedence, role defaults, templating, schemas, the connection settings
    const host = prepareHost(inventoryHost, inventory, roles, { core, root: options.root, hostDirsFor: options.hostDirsFor }, problems);
    if (!host) continue;
    // render: the roles' resources, templates and handlers; then the rules every managed path obeys
    const { state, problems: renderProblems } = renderHost(host.name, host.roles, host.vars, renderers);
    if (renderProblems.length === 0) {
      const where = (path: (string | number)[]) => positionOfVariable(inventoryHost, roles, host.roles, path);
      renderProblems.push(
        ...checkPathRules(
          { state, vars: host.vars, declared: declaredVariables(host, roles), fromInventory: (name) => inventoryHost.origins.has(name), where },
          host.name,
        ),
      );
    }
    problems.push(...renderProblems);
    if (renderProblems.length === 0) hosts.push({ host, desired: state });
  }
  return { inventory, roles, renderers, facts: [...roles.values()].flatMap((role) => role.facts), hosts, problems: mergeProblems(problems) };
}

const declaredByRoles = new WeakMap<Map<string, Role>, Map<string, Set<string>>>();

/** The variables a host's roles declare (the same set for every host with the same roles). */
function declaredVariables(host: PreparedHost, roles: Map<string, Role>): Set<string> {
  let byRoles = declaredByRoles.get(roles);
  if (!byRoles) declaredByRoles.set(roles, (byRoles = new Map()));
  const key = host.roles.join('\n');
  let declared = byRoles.get(key);
  if (!declared) byRoles.set(key, (declared = new Set(host.roles.flatMap((name) => [...(roles.get(name)?.knownVariables ?? [])]))));
  return declared;
}

/** prepareProject for commands that act on hosts: one InputError with every problem, so nothing runs on bad input. */
export function prepareProjectOrThrow(sources: string | readonly string[], options: ProjectOptions): Project {
  const project = prepareProject(sources, options, true);
  const errors = project.problems.filter((p) => !isWarning(p));
  if (errors.length > 0) throw new InputError(errors, project.problems.filter(isWarning));
  return project;
}

/**
 * The hosts' warnings (a role's warning assert) with their variables as stated, before any host is
 * looked at (the load stage noted its own): what `render` prints, and `plan`/`apply` for a host they
 * could not look at (one they did is checked again with its facts: lookAtHost). `host`: its alone.
 */
export function statedHostWarnings(problems: readonly Problem[], host?: string): Problem[] {
  const about = problems.filter((p) => isWarning(p) && (p.hosts?.length ?? 0) > 0 && (host === undefined || p.hosts!.includes(host)));
  return host === undefined ? about : about.map((p) => ({ ...p, hosts: [host] }));
}

// ---- probe -> plan -> apply | verify ---------------------------------------------------------------

/** What a host's run needs of its roles after rendering: to render it again with its facts, and the facts to gather. */
export type RolesAtWork = Pick<Project, 'renderers' | 'facts'>;

export interface RunOptions {
  check: boolean;
  backup: boolean;
  /** --rotate-key: the certificates whose key is rotated (src/plan/rotation.ts) */
  rotateKeys?: readonly string[];
  connection?: ConnectOptions;
}

/**
 * One host: one round trip to look, one to change, none more when nothing differs. Facts (the
 * versions of the programs the roles configure) are gathered by the same probe; when they change the
 * host's variables, the host is rendered again with them and planned from that same probe's answers
 * (a second probe only for a resource the first never looked at). Facts are never gathered under a
 * --root tree, whose programs are not the tree's.
 */
export async function convergeHost(rendered: RenderedHost, roles: RolesAtWork, options: RunOptions, connection: Connection): Promise<HostResult> {
  const result: HostResult = { name: rendered.host.name, status: 'ok', failures: new Map(), handlersRun: [], applied: false };
  try {
    return await converge(rendered, roles, options, connection, result);
  } catch (error) {
    // Lost half way, nothing the host did can be confirmed: report no resources, as for a host never reached.
    if (error instanceof ConnectionError) return { ...result, plan: undefined, status: error.status, error: error.message };
    if (error instanceof ProbeOutputError) return { ...result, status: 'failed', error: error.message };
    throw error;
  }
}

export interface HostLook {
  /** the host's desired state, rendered with its facts */
  desired: DesiredState;
  actual: ActualState;
  /** the variables it was rendered with */
  vars: Record<string, unknown>;
  /** versions the inventory states differently from the host */
  notices: string[];
  /** the roles' warning assertions that fail with the variables it was rendered with (its facts) */
  warnings: Problem[];
}

/** probe, with the facts; render again when they change the host's variables; a second probe only for what the first never saw. */
export async function lookAtHost(connection: Connection, rendered: RenderedHost, roles: RolesAtWork): Promise<HostLook> {
  const { host } = rendered;
  const facts = host.root === undefined ? wantedFacts(host.vars, roles.facts) : [];
  const first = await probeHost(connection, rendered.desired, host.root, { facts });
  const found = applyFacts(host.vars, host.inventoryVars, parseFacts(first.output, facts));
  const hostRoles = host.roles.flatMap((name) => roles.renderers.get(name)?.role ?? []);
  const warnings = hostWarnings(host, hostRoles, found.vars);
  if (found.changed.length === 0) return { desired: rendered.desired, actual: first.actual, vars: host.vars, notices: found.notices, warnings };

  const again = renderHost(host.name, host.roles, found.vars, roles.renderers);
  if (again.problems.length > 0) {
    const versions = found.changed.map((v) => `${v} ${JSON.stringify(found.vars[v])}`).join(', ');
    throw new ProbeOutputError(`the roles do not render with the host's versions (${versions}): ${again.problems.map(formatProblem).join('; ')}`);
  }
  const carried = carryOver(rendered.desired, first.actual, again.state);
  let actual = carried.actual;
  if (carried.unprobed.length > 0 || carried.accounts.users.length > 0 || carried.accounts.groups.length > 0) {
    const rest: DesiredState = { host: rendered.desired.host, resources: carried.unprobed, handlers: [] };
    actual = mergeActual(actual, (await probeHost(connection, rest, host.root, { accounts: carried.accounts, record: false })).actual);
  }
  return { desired: again.state, actual, vars: found.vars, notices: found.notices, warnings };
}

async function converge(rendered: RenderedHost, roles: RolesAtWork, options: RunOptions, connection: Connection, result: HostResult): Promise<HostResult> {
  const { host } = rendered;

  // probe (facts included) -> render again if they change the host's variables
  const looked = await lookAtHost(connection, rendered, roles);
  const { notices, warnings } = looked;
  // Key rotations in progress or to begin: their next key and CSR join the desired state. Not under a
  // --root tree: no renewal runs there to swap them in.
  const { desired, actual } =
    host.root === undefined
      ? withRotations(looked.desired, looked.actual, new Set(options.rotateKeys ?? []))
      : { desired: looked.desired, actual: looked.actual };
  result.notices =
    host.root !== undefined && (options.rotateKeys ?? []).length > 0 ? [...notices, 'no key is rotated under a --root tree (--rotate-key)'] : notices;
  result.warnings = warnings;

  // plan
  const plan = planHost(desired, actual, { root: host.root, check: options.check, secretValues: host.secretValues, locateVariable: host.locateVariable });
  result.plan = plan;
  if (plan.errors.length > 0) return { ...result, status: 'failed', error: plan.errors.join('; ') };
  // Only the record of what provision manages to write (a host's first run, a recorded path gone): a
  // second round trip, but no change to report.
  const bookkeeping = recordOnly(plan);
  if (!hasWork(plan) && (!bookkeeping || options.check)) return result;
  if (!bookkeeping) result.status = 'changed';

  // apply, or in check mode verify: the validate commands and whole-configuration checks still run on the candidates
  const targetChecks = targetChecksFor(plan.changes, desired.checks ?? [], plan.removals);
  const script = options.check ? verifyScript(plan, desired, targetChecks) : applyScript(plan, desired, { backup: options.backup, targetChecks });
  if (!script) return result;
  const run = await connection.run(script);
  result.applied = !options.check;
  return settle(result, desired, host.secretValues, parseApply(run.stdout), run);
}

/** convergeHost on every host, `forks` at a time; `onDone` sees each result as soon as its host finishes. */
export async function runHosts(
  project: Pick<Project, 'hosts' | 'renderers' | 'facts'>,
  options: RunOptions & { forks: number },
  onDone: (result: HostResult) => void,
): Promise<HostResult[]> {
  const { hosts } = project;
  const results: HostResult[] = new Array(hosts.length);
  const connector = new Connector(options.connection);
  try {
    await inParallel(hosts, options.forks, async (host, index) => {
      const started = performance.now();
      const result = await reachHost(host, project, options, connector);
      results[index] = { ...result, roundTrips: connector.roundTrips(result.name), seconds: (performance.now() - started) / 1000 };
      onDone(results[index]!);
    });
  } finally {
    await connector.close();
  }
  return results;
}

/** convergeHost over a connection of its own, closed when the host is done. */
async function reachHost(rendered: RenderedHost, roles: RolesAtWork, options: RunOptions, connector: Connector): Promise<HostResult> {
  let connection;
  try {
    connection = connector.connect(rendered.host);
    return await convergeHost(rendered, roles, options, connection);
  } catch (error) {
    if (error instanceof ConnectionError)
      return { name: rendered.host.name, status: error.status, error: error.message, failures: new Map(), handlersRun: [], applied: false };
    throw error;
  } finally {
    await connection?.close();
  }
}
