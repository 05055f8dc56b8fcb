import { posix } from 'node:path';
import type { Fact } from '../load/role.js';
import type { CsrResource, DesiredState, Resource } from '../model/desired.js';
import { isPathResource } from '../model/desired.js';
import { readShellLibrary, wrapScript } from '../host/script.js';
import { sha256 } from '../model/digest.js';
import { probeAnswer } from '../host/protocol/answers.js';
import { createdAccountsFile, managedRecordFile, pendingHandlersFile } from '../host/protocol/files.js';
import type { ScriptId } from '../host/protocol/script-ids.js';
import { scriptId } from '../host/protocol/script-ids.js';
import * as call from '../host/shell-calls.js';

function probeCall(resource: Resource, index: number, resources: Resource[]): string {
  const id = scriptId(index);
  if (resource.kind === 'private_key') {
    // A certificate's key: what a rotation left beside it (src/plan/rotation.ts) is looked at too.
    const csr = resources.find((r): r is CsrResource => r.kind === 'csr' && r.key === resource.path);
    if (csr && resource.certificate !== undefined) return call.probeKey({ id, path: resource.path, csr: csr.path });
  }
  return resource.kind === 'file'
    ? call.probeFile({ id, path: resource.path, sha256: sha256(resource.content), sendContent: !resource.secret })
    : probeCommand(resource, id);
}

/**
 * What the probe looks at for a resource: its call, with a fixed content hash for a file (the one it
 * sends is the rendered content's), so two resources that get the same answer get the same text.
 */
export function probeCommand(resource: Resource, id: ScriptId = scriptId(0)): string {
  switch (resource.kind) {
    case 'file':
      return call.probeFile({ id, path: resource.path, sha256: '-', sendContent: !resource.secret });
    case 'directory':
      return call.probeDir({ id, path: resource.path });
    case 'symlink':
      return call.probeLink({ id, path: resource.path });
    case 'private_key':
      return call.probeKey({ id, path: resource.path });
    case 'csr':
      return call.probeCsr({ id, path: resource.path, key: resource.key });
    case 'placeholder_certificate':
      return call.probeCert({ id, path: resource.path, key: resource.key });
    case 'user':
      return call.probeUser({ id, name: resource.name });
    case 'group':
      return call.probeGroup({ id, name: resource.name });
  }
}

/** Account names whose existence decides whether ownership can be applied. */
export function accountNames(state: DesiredState): { users: string[]; groups: string[] } {
  const users = new Set<string>();
  const groups = new Set<string>();
  for (const r of state.resources) {
    if ('owner' in r && r.owner) users.add(r.owner);
    if ('group' in r && r.group && r.kind !== 'user') groups.add(r.group);
  }
  return { users: [...users].sort(), groups: [...groups].sort() };
}

/**
 * Every directory above a managed path, on the machine (under `root` for a --root tree), up to `/`:
 * what the plan checks for other accounts' write access. A name with a newline cannot be read back
 * line by line and is left out (managed paths never hold one).
 */
export function ancestorDirs(state: DesiredState, root: string | undefined): string[] {
  const dirs = new Set<string>();
  for (const resource of state.resources) {
    if (!isPathResource(resource)) continue;
    let dir = posix.dirname(`${root ?? ''}${resource.path}`);
    for (;;) {
      if (!dir.includes('\n')) dirs.add(dir);
      if (dir === '/' || dir === '.') break;
      dir = posix.dirname(dir);
    }
  }
  return [...dirs].sort();
}

/** The paths the desired state manages, as the record names them (a path with a newline is never managed). */
export function desiredPaths(state: DesiredState): string[] {
  return state.resources.flatMap((r) => (isPathResource(r) ? [r.path] : []));
}

/** The call, or nothing when it would have no ARGS. */
function batchCall(args: string[], build: (args: string[]) => string): string[] {
  return args.length > 0 ? [build(args)] : [];
}

/**
 * The calls that ask stat, sha256sum, readlink and getent once for every path or name the per-resource
 * calls look at (shell/probe.sh keeps the answers): a program started per path made the probe slow.
 * A path with a newline is left to its own call: the answers are read line by line.
 */
function batchCalls(state: DesiredState, users: string[], groups: string[], parents: string[]): string[] {
  const paths = (kinds: Resource['kind'][]) =>
    state.resources.flatMap((r) => (kinds.includes(r.kind) && 'path' in r && !r.path.includes('\n') ? [r.path] : []));
  const statPaths = paths(['file', 'directory', 'private_key', 'csr']);
  const parentDirs = parents.map((dir) => `${dir.replace(/\/$/, '')}/.`);
  const names = (kind: 'user' | 'group') => state.resources.flatMap((r) => (r.kind === kind ? [r.name] : []));
  const unique = (list: string[]) => [...new Set(list)];
  return [
    ...batchCall([...statPaths, ...parentDirs], () => call.probeStatAll({ paths: statPaths, machinePaths: parentDirs })),
    ...batchCall(paths(['file']), (args) => call.probeSumAll({ paths: args })),
    ...batchCall(paths(['symlink']), (args) => call.probeLinkAll({ paths: args })),
    ...batchCall(unique([...users, ...names('user')]), (args) => call.probeGetentAll({ database: 'passwd', names: args })),
    ...batchCall(unique([...groups, ...names('group')]), (args) => call.probeGetentAll({ database: 'group', names: args })),
  ];
}

export interface ProbeOptions {
  /** facts to gather (shell/probe.sh probe_fact); only ever on a real host */
  facts?: Fact[];
  /** account names to look up instead of those of `state` */
  accounts?: { users: string[]; groups: string[] };
  /** read the record of what provision manages (default true; a second probe of a few resources does not) */
  record?: boolean;
}

/** The single script that looks at everything a host's desired state manages. It changes nothing. */
export function probeScript(state: DesiredState, root: string | undefined, options: ProbeOptions = {}): string {
  const { users, groups } = options.accounts ?? accountNames(state);
  const parents = ancestorDirs(state, root);
  const body = [
    call.probeUid(),
    ...batchCalls(state, users, groups, parents),
    ...(root === undefined
      ? (options.facts ?? []).map((fact) => call.probeFact({ name: fact.name, output: fact.output, programs: fact.programs, args: fact.args }))
      : []),
    ...users.map((name) => call.probeAccount({ database: 'passwd', name })),
    ...groups.map((name) => call.probeAccount({ database: 'group', name })),
    ...state.resources.map((resource, index) => probeCall(resource, index, state.resources)),
    ...parents.map((dir) => call.probeParent({ dir })),
    // Users are only managed on a real host: the record says which accounts provision may change.
    ...(root === undefined && state.resources.some((r) => r.kind === 'user') ? [call.probeCreatedAccounts({ file: createdAccountsFile })] : []),
    // What provision manages is recorded on a real host only (never under a --root tree): what the
    // record holds and the desired state does not is looked at here, in the same round trip.
    ...(root === undefined && options.record !== false ? [call.probeRecord({ file: managedRecordFile(state.host), desired: desiredPaths(state) })] : []),
    // Links provision does not manage where a role's service reads them (a real host only): warned about.
    ...(root === undefined && options.record !== false
      ? (state.foreignLinks ?? []).map((watch, index) => call.foreignLinks({ index, dir: watch.dir, uses: watch.uses, desired: desiredPaths(state) }))
      : []),
    // Handlers only run on a real host, never under a --root tree.
    ...(root === undefined && state.handlers.length > 0 ? [call.probePendingHandlers({ file: pendingHandlersFile })] : []),
    `printf '@${probeAnswer.done}\\n'`,
  ];
  // Read on first use, not when imported: importing this module touches no file.
  return wrapScript(root, `${readShellLibrary('probe.sh')}\n${readShellLibrary('foreign-links.sh')}`, body.join('\n'));
}
