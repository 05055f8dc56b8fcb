// Root never manages an entry inside a directory another account can write: that account could swap
// the entry (rename, symlink, RENAME_EXCHANGE) between the probe and the apply, and root would then
// act on whatever it put there. The probe reports every existing directory above a managed path (the
// directory each resolves to); this decides which of them another account can change.
import { posix } from 'node:path';
import type { ActualState, ParentDir } from '../model/actual.js';
import type { DesiredState, DirectoryResource, Resource } from '../model/desired.js';
import { isPathResource } from '../model/desired.js';

/**
 * (Checked only when the scripts run as root.) Why accounts other than root and the scripts' can change entries of `dir`, or
 * undefined when they cannot:
 * - its owner is another account (an owner can always change its directory's entries);
 * - it is writable by every account, or by a group other than root's and the scripts' own (gid), unless
 *   it is sticky (like /tmp) and the entry below it on the way already exists and is trusted: in a
 *   sticky directory only an entry's owner can rename or remove it.
 */
export function untrustedBecause(dir: ParentDir, trustedUids: Set<number>, trustedGids: Set<number>, child: ParentDir | undefined): string | undefined {
  if (!trustedUids.has(dir.uid)) return `owned by ${dir.owner}`;
  const sticky = (dir.mode & 0o1000) !== 0 && child !== undefined && trustedUids.has(child.uid);
  if (sticky) return undefined;
  if (dir.mode & 0o002) return 'writable by every account';
  if (dir.mode & 0o020 && !trustedGids.has(dir.gid)) return `writable by group ${dir.group}`;
  return undefined;
}

/** A managed directory this apply makes root's and not writable by others. */
function madeSafe(resource: DirectoryResource | undefined, actual: ActualState): boolean {
  return resource !== undefined && actual.isRoot && resource.owner === 'root' && resource.mode !== undefined && (parseInt(resource.mode, 8) & 0o022) === 0;
}

/**
 * One error per directory that another account can change and above which provision would manage a
 * path, naming the path, the directory, its owner and mode. A managed directory that this same apply
 * makes root's first (an older layout being migrated) is not an error: the apply checks every entry
 * on the way below it (`recheckBelow`: the path's topmost such directory) after that, when no other
 * account can change them any more, before it acts on the path.
 */
export function parentDirErrors(
  desired: DesiredState,
  actual: ActualState,
  root: string | undefined,
): { errors: string[]; recheckBelow: Map<Resource, string> } {
  const recheckBelow = new Map<Resource, string>();
  // The boundary is root's: a script running as another account can only do what that account can.
  if (!actual.parents || !actual.isRoot) return { errors: [], recheckBelow };
  const trustedUids = new Set([0, ...(actual.uid !== undefined ? [actual.uid] : [])]);
  const trustedGids = new Set([0, ...(actual.gid !== undefined ? [actual.gid] : [])]);
  const managedDirs = new Map<string, { resource: DirectoryResource; index: number }>();
  desired.resources.forEach((resource, index) => {
    if (resource.kind === 'directory') managedDirs.set(`${root ?? ''}${resource.path}`, { resource, index });
  });
  const reported = new Map<string, string[]>();
  const reasons = new Map<string, string>();
  desired.resources.forEach((resource, index) => {
    if (!isPathResource(resource)) return;
    const chain: string[] = [];
    for (let dir = posix.dirname(`${root ?? ''}${resource.path}`); ; dir = posix.dirname(dir)) {
      chain.unshift(dir);
      if (dir === '/' || dir === '.') break;
    }
    chain.forEach((dir, at) => {
      const info = actual.parents!.get(dir);
      if (!info) return;
      const childDir = chain[at + 1];
      const why = untrustedBecause(info, trustedUids, trustedGids, childDir === undefined ? undefined : actual.parents!.get(childDir));
      if (!why) return;
      // Made safe first, and the entry on the way below it is managed too (so re-checked just before
      // the apply acts on it): an older layout being migrated.
      const managed = managedDirs.get(dir);
      const below = chain[at + 1];
      const belowManaged = below === undefined || (managedDirs.get(below)?.index ?? Infinity) < index;
      if (managed && managed.index < index && belowManaged && madeSafe(managed.resource, actual)) {
        if (!recheckBelow.has(resource)) recheckBelow.set(resource, dir);
        return;
      }
      reasons.set(dir, `${why} (owner ${info.owner}, group ${info.group}, mode ${info.mode.toString(8).padStart(4, '0')})`);
      const paths = reported.get(dir) ?? [];
      paths.push(resource.path);
      reported.set(dir, paths);
    });
  });
  const errors = [...reported].map(([dir, paths]) => {
    const others = paths.length > 1 ? ` (and ${paths.length - 1} more path${paths.length > 2 ? 's' : ''} under it)` : '';
    return `${paths[0]}${others}: refusing to manage it under ${dir}, which is ${reasons.get(dir)}: another account could replace what root acts on there`;
  });
  return { errors, recheckBelow };
}
