import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import type { Fact } from '../roles/role.js';
import type { DesiredState, Resource } from '../state/desired.js';
import { isPathResource } from '../state/desired.js';
import { hostPath, readShellLibrary, shquote, wrapScript } from '../shell/script.js';

/** Where the apply script writes the handlers it still owes (shell/apply.sh). */
export const pendingHandlersFile = '/var/lib/provision/pending-handlers';
/** The accounts provision created on the host, one name a line (shell/apply.sh ensure_user writes it). */
export const createdAccountsFile = '/var/lib/provision/accounts';

export function sha256(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}

const functions = readShellLibrary('probe.sh');

function probeCall(resource: Resource, index: number): string {
  const id = `r${index}`;
  return `${probeCommand(resource, id)}${resource.kind === 'file' ? ` ${sha256(resource.content)} ${resource.secret ? 0 : 1}` : ''}`;
}

/** What the probe looks at for a resource, without the content hash a file's call adds. */
export function probeCommand(resource: Resource, id = 'r'): string {
  switch (resource.kind) {
    case 'file':
      return `probe_file ${id} ${hostPath(resource.path)}`;
    case 'directory':
      return `probe_dir ${id} ${hostPath(resource.path)}`;
    case 'symlink':
      return `probe_link ${id} ${hostPath(resource.path)}`;
    case 'private_key':
      return `probe_key ${id} ${hostPath(resource.path)}`;
    case 'csr':
      return `probe_csr ${id} ${hostPath(resource.path)} ${hostPath(resource.key)}`;
    case 'placeholder_certificate':
      return `probe_cert ${id} ${hostPath(resource.path)} ${hostPath(resource.key)}`;
    case 'user':
      return `probe_user ${id} ${shquote(resource.name)}`;
    case 'group':
      return `probe_group ${id} ${shquote(resource.name)}`;
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

/** `NAME ARGS...`, or nothing when there are no ARGS. */
function batchCall(name: string, args: string[]): string[] {
  return args.length > 0 ? [`${name} ${args.join(' ')}`] : [];
}

/**
 * The calls that ask stat, sha256sum, readlink and getent once for every path or name the per-resource
 * calls look at (shell/probe.sh keeps the answers): a program started per path made the probe slow.
 * A path with a newline is left to its own call: the answers are read line by line.
 */
function batchCalls(state: DesiredState, users: string[], groups: string[], parents: string[]): string[] {
  const paths = (kinds: Resource['kind'][]) => state.resources.flatMap((r) => (kinds.includes(r.kind) && 'path' in r && !r.path.includes('\n') ? [hostPath(r.path)] : []));
  const parentArgs = parents.map((dir) => shquote(`${dir.replace(/\/$/, '')}/.`));
  const names = (kind: 'user' | 'group') => state.resources.flatMap((r) => (r.kind === kind ? [r.name] : []));
  const quoted = (list: string[]) => [...new Set(list)].map(shquote);
  return [
    ...batchCall('probe_stat_all', [...paths(['file', 'directory', 'private_key', 'csr']), ...parentArgs]),
    ...batchCall('probe_sum_all', paths(['file'])),
    ...batchCall('probe_link_all', paths(['symlink'])),
    ...batchCall('probe_getent_all passwd', quoted([...users, ...names('user')])),
    ...batchCall('probe_getent_all group', quoted([...groups, ...names('group')])),
  ];
}

/** `probe_fact NAME N CANDIDATE... ARG...`: every word is role data, quoted. */
function factCall(fact: Fact): string {
  return ['probe_fact', shquote(fact.name), String(fact.programs.length), ...fact.programs.map(shquote), ...fact.args.map(shquote)].join(' ');
}

export interface ProbeOptions {
  /** facts to gather (shell/probe.sh probe_fact); only ever on a real host */
  facts?: Fact[];
  /** account names to look up instead of those of `state` */
  accounts?: { users: string[]; groups: string[] };
}

/** The single script that looks at everything a host's desired state manages. It changes nothing. */
export function probeScript(state: DesiredState, root: string | undefined, options: ProbeOptions = {}): string {
  const { users, groups } = options.accounts ?? accountNames(state);
  const parents = ancestorDirs(state, root);
  const body = [
    'probe_uid',
    ...batchCalls(state, users, groups, parents),
    ...(root === undefined ? (options.facts ?? []).map(factCall) : []),
    ...users.map((u) => `probe_account passwd ${shquote(u)}`),
    ...groups.map((g) => `probe_account group ${shquote(g)}`),
    ...state.resources.map(probeCall),
    ...parents.map((dir) => `probe_parent ${shquote(dir)}`),
    // Users are only managed on a real host: the record says which accounts provision may change.
    ...(root === undefined && state.resources.some((r) => r.kind === 'user') ? [`probe_created_accounts ${shquote(createdAccountsFile)}`] : []),
    // Handlers only run on a real host, never under a --root tree.
    ...(root === undefined && state.handlers.length > 0 ? [`probe_pending_handlers ${shquote(pendingHandlersFile)}`] : []),
    `printf '@done\\n'`,
  ];
  return wrapScript(root, functions, body.join('\n'));
}
