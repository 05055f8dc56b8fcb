// When facts change a host's rendering after the probe, most of what the probe saw still answers for
// the re-rendered resources: it looked at the same paths. Only a resource it never looked at needs a
// second probe.
import type { ActualState, Observed } from '../model/actual.js';
import type { DesiredState, Resource } from '../model/desired.js';
import { sha256 } from '../model/digest.js';
import { accountNames } from './probe-script.js';

export interface CarriedOver {
  /** what the first probe says about the re-rendered resources it looked at */
  actual: ActualState;
  /** re-rendered resources the first probe never looked at */
  unprobed: Resource[];
  /** account names the re-rendered state uses that the first probe did not look up */
  accounts: { users: string[]; groups: string[] };
}

/**
 * Re-reads a probe of `before` for `after`. A file's content comes back from the probe only when its
 * hash differs from the one sent; when it did not come back, the file holds exactly what `before`
 * rendered, so the new diff can still be shown.
 */
export function carryOver(before: DesiredState, actual: ActualState, after: DesiredState): CarriedOver {
  const seen = new Map<string, { resource: Resource; observed: Observed }>();
  for (const resource of before.resources) {
    const observed = actual.resources.get(resource.id);
    if (observed) seen.set(signature(resource), { resource, observed });
  }
  const resources = new Map<string, Observed>();
  const unprobed: Resource[] = [];
  for (const resource of after.resources) {
    const earlier = seen.get(signature(resource));
    if (!earlier) unprobed.push(resource);
    else resources.set(resource.id, withKnownContent(earlier.resource, earlier.observed));
  }
  const probed = accountNames(before);
  const wanted = accountNames(after);
  return {
    actual: { ...actual, resources },
    unprobed,
    accounts: { users: wanted.users.filter((u) => !probed.users.includes(u)), groups: wanted.groups.filter((g) => !probed.groups.includes(g)) },
  };
}

/**
 * What decides a probe's answer for a resource: its kind and the paths or names it looks at, and for a
 * file whether its content may come back. Two resources with the same question get the same answer.
 */
function signature(resource: Resource): string {
  switch (resource.kind) {
    case 'file':
      return JSON.stringify([resource.kind, resource.path, resource.secret]);
    case 'csr':
    case 'placeholder_certificate':
      return JSON.stringify([resource.kind, resource.path, resource.key]);
    case 'user':
    case 'group':
      return JSON.stringify([resource.kind, resource.name]);
    default:
      return JSON.stringify([resource.kind, resource.path]);
  }
}

function withKnownContent(resource: Resource, observed: Observed): Observed {
  if (resource.kind !== 'file' || observed.state !== 'file' || observed.content !== undefined || resource.secret) return observed;
  return observed.sha256 === sha256(resource.content) ? { ...observed, content: resource.content } : observed;
}

/** The first probe's findings with a second probe's (of the resources the first never looked at). */
export function mergeActual(first: ActualState, second: ActualState): ActualState {
  return {
    isRoot: first.isRoot,
    uid: first.uid,
    gid: first.gid,
    parents: new Map([...(first.parents ?? []), ...(second.parents ?? [])]),
    users: new Set([...first.users, ...second.users]),
    groups: new Set([...first.groups, ...second.groups]),
    resources: new Map([...first.resources, ...second.resources]),
    pendingHandlers: first.pendingHandlers,
    createdAccounts: first.createdAccounts ?? second.createdAccounts,
    ...(first.record ? { record: first.record } : {}),
    ...(first.foreignLinks ? { foreignLinks: first.foreignLinks } : {}),
  };
}
