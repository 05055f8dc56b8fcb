import type { ActualState, Attributes, Observed } from '../model/actual.js';
import type { CsrResource, DesiredState, Resource, UserResource } from '../model/desired.js';
import { resourceTarget } from '../model/desired.js';
import { createdAccountsFile } from '../host/protocol/files.js';
import { sha256 } from '../model/digest.js';
import { hidden, revealsSecret, unifiedDiff } from './diff.js';
import type { Change, Plan } from './types.js';
import { isPending } from './types.js';
import { parentDirErrors } from './parent-dirs.js';
import { planRecord } from './removals.js';
import { foreignLinkWarnings } from './foreign-links.js';
import { issuedInThisApply, waitsForIssuance } from './renames.js';

export interface PlanOptions {
  /** the host's tree is under this directory: users, groups and handlers are not managed */
  root?: string;
  /** check mode: nothing will be made, so the plan says what would stand in */
  check?: boolean;
  secretValues: string[];
  /** `FILE:LINE:COL: ` of an inventory variable, for messages (where it is known) */
  locateVariable?: (variable: string) => string | undefined;
}

const defaultModes: Record<string, string> = { file: '0644', directory: '0755', private_key: '0600', csr: '0644' };

/** The subject openssl prints (RFC 2253: most specific first) for the CSR we would make. */
export function expectedSubject(csr: CsrResource): string {
  const escape = (value: string) => value.replace(/([,+"\\<>;])/g, '\\$1');
  const parts = [`CN=${escape(csr.domains[0]!)}`];
  if (csr.organization) parts.push(`O=${escape(csr.organization)}`);
  if (csr.country) parts.push(`C=${escape(csr.country)}`);
  return parts.join(',');
}

/**
 * Why an existing account must not be managed, or undefined. provision changes home, shell and groups
 * only of accounts it created itself (its record on the host); another account is accepted only when
 * it already matches, so nothing of it is changed. An account with uid 0 is never managed: its
 * processes would be root.
 */
function foreignAccount(resource: UserResource, observed: { uid?: number }, reasons: string[], created: Set<string> | undefined): string | undefined {
  if (observed.uid === 0) return `user ${resource.name} has uid 0 (it is root): provision never manages such an account`;
  if (reasons.length === 0 || created?.has(resource.name)) return undefined;
  return `user ${resource.name} exists and provision did not create it (it is not in ${createdAccountsFile}): provision changes only its own accounts, and this one would need ${reasons.join(', ')}; name an account provision may create, or make this one match`;
}

function sameNames(a: string[], b: string[]): boolean {
  const sa = [...new Set(a)].sort();
  const sb = [...new Set(b)].sort();
  return sa.length === sb.length && sa.every((v, i) => v === sb[i]);
}

/**
 * Compares desired and actual state: what to create, update or leave. Pure: the same inputs always
 * give the same plan, and check mode stops after it.
 */
export function planHost(desired: DesiredState, actual: ActualState, options: PlanOptions): Plan {
  const underRoot = options.root !== undefined;
  const changes: Change[] = [];
  const errors: string[] = [];
  const notices: string[] = [];
  const createdUsers = new Set<string>();
  const createdGroups = new Set<string>();
  const createdKeys = new Set<string>();
  const unappliedAccounts = new Set<string>();
  const placeholders: string[] = [];

  if (!underRoot) {
    for (const r of desired.resources) {
      if (r.kind === 'user') {
        createdUsers.add(r.name);
        if (r.group) createdGroups.add(r.group);
        else createdGroups.add(r.name);
      }
      if (r.kind === 'group') createdGroups.add(r.name);
    }
  }

  /** Owner and group to set, or undefined where they cannot be applied in this run. */
  function ownership(resource: { owner?: string; group?: string }): { owner?: string; group?: string } {
    const can = (name: string | undefined, known: Set<string>, created: Set<string>) =>
      name !== undefined && actual.isRoot && (known.has(name) || created.has(name));
    const owner = can(resource.owner, actual.users, createdUsers) ? resource.owner : undefined;
    const group = can(resource.group, actual.groups, createdGroups) ? resource.group : undefined;
    if (resource.owner && !owner) unappliedAccounts.add(resource.owner);
    if (resource.group && !group) unappliedAccounts.add(resource.group);
    return { owner, group };
  }

  function attributeChange(resource: Resource & { mode?: string; owner?: string; group?: string }, observed: Observed | undefined): Change {
    const { owner, group } = ownership(resource);
    if (!observed || observed.state === 'missing') {
      return { resource, action: 'create', reasons: [], owner, group, mode: resource.mode ?? defaultModes[resource.kind], rewrite: true };
    }
    const current = observed as Attributes;
    const reasons: string[] = [];
    if (resource.mode && current.mode !== resource.mode) reasons.push(`mode ${current.mode} -> ${resource.mode}`);
    if (owner && current.owner !== owner) reasons.push(`owner ${current.owner} -> ${owner}`);
    if (group && current.group !== group) reasons.push(`group ${current.group} -> ${group}`);
    return { resource, action: reasons.length > 0 ? 'update' : 'unchanged', reasons, owner, group, mode: resource.mode, rewrite: false };
  }

  for (const resource of desired.resources) {
    const observed = actual.resources.get(resource.id);
    const target = resourceTarget(resource);
    if (
      observed?.state === 'other' &&
      resource.kind === 'directory' &&
      observed.type === 'symlink' &&
      resource.replacesLink !== undefined &&
      observed.target === resource.replacesLink
    ) {
      const change = attributeChange(resource, { state: 'missing' });
      change.reasons.push(`replaces the link to ${observed.target} (an older layout)`);
      change.replacesLink = observed.target;
      changes.push(change);
      continue;
    }
    if (observed?.state === 'other') {
      errors.push(`${target}: a ${observed.type.replace(/^not-a-/, 'non-')} is in the way of the ${resource.kind.replace('_', ' ')} to manage`);
      continue;
    }
    switch (resource.kind) {
      case 'user':
      case 'group': {
        if (underRoot) {
          changes.push({ resource, action: 'skipped', reasons: ['not managed under a --root tree'], rewrite: false });
        } else if (!observed || observed.state === 'missing') {
          changes.push({ resource, action: 'create', reasons: [], rewrite: true });
        } else if (resource.kind === 'user' && observed.state === 'user') {
          const reasons: string[] = [];
          if (resource.home && observed.home !== resource.home) reasons.push(`home ${observed.home} -> ${resource.home}`);
          if (resource.shell && observed.shell !== resource.shell) reasons.push(`shell ${observed.shell} -> ${resource.shell}`);
          const missingGroups = resource.groups.filter((g) => !observed.groups.includes(g));
          if (missingGroups.length > 0) reasons.push(`groups +${missingGroups.join(',+')}`);
          const refusal = foreignAccount(resource, observed, reasons, actual.createdAccounts);
          if (refusal) {
            const where = resource.nameVariable ? `${options.locateVariable?.(resource.nameVariable) ?? ''}${resource.nameVariable}: ` : '';
            errors.push(`${where}${refusal}`);
            break;
          }
          changes.push({ resource, action: reasons.length > 0 ? 'update' : 'unchanged', reasons, rewrite: false });
        } else {
          changes.push({ resource, action: 'unchanged', reasons: [], rewrite: false });
        }
        break;
      }
      case 'directory':
      case 'private_key': {
        const change = attributeChange(resource, observed);
        if (resource.kind === 'private_key' && change.action === 'create') {
          createdKeys.add(resource.path);
          change.diff = '(private key generated on the host, never shown)';
          if (resource.next)
            change.reasons.push(
              `key rotation: a new ${resource.keyType} key beside ${resource.path.replace(/\.next$/, '')}, swapped in together with its certificate by the renewal`,
            );
        } else if (resource.kind === 'private_key' && resource.next) {
          // Said on every run until the renewal swaps it in: the old key is still the one served.
          notices.push(
            `key rotation of ${resource.certificate ?? resource.path}: ${resource.path} waits for its certificate; the renewal script swaps it in once the CA issued one (see its log)`,
          );
        }
        changes.push(change);
        break;
      }
      case 'symlink': {
        if (!observed || observed.state === 'missing') changes.push({ resource, action: 'create', reasons: [], rewrite: true });
        else if (observed.state === 'symlink' && observed.target !== resource.target)
          changes.push({ resource, action: 'update', reasons: [`target ${observed.target} -> ${resource.target}`], rewrite: true });
        else changes.push({ resource, action: 'unchanged', reasons: [], rewrite: false });
        break;
      }
      case 'csr': {
        const change = attributeChange(resource, observed);
        if (observed?.state === 'csr') {
          const wanted = resource.domains.map((d) => `DNS:${d}`);
          if (!sameNames(observed.san, wanted) || observed.subject !== expectedSubject(resource))
            change.reasons.push(`names ${observed.san.join(',') || '(none)'} -> ${wanted.join(',')}`);
          else if (createdKeys.has(resource.key) || !observed.keyMatches) change.reasons.push('made from another key');
          if (change.reasons.length > 0 && change.action === 'unchanged') change.action = 'update';
          change.rewrite = change.reasons.some((r) => r.startsWith('names') || r.startsWith('made from'));
          if (change.rewrite) change.mode = resource.mode ?? observed.mode;
        }
        if (resource.next && change.action === 'create') change.reasons.push('key rotation: the request for the new key');
        changes.push(change);
        break;
      }
      case 'placeholder_certificate': {
        // An existing certificate of the key, placeholder or issued, is never replaced: the renewal
        // script owns it. One of another key (the key was deleted to change its type, or made again
        // in this apply) is: the services would refuse the pair, so a placeholder of the new key
        // stands in before any reload, and the renewal script finds it due.
        const newKey = createdKeys.has(resource.key);
        const firstIssuance = observed?.state !== 'certificate' || observed.selfSigned;
        if (observed?.state === 'certificate' && observed.keyMatches && !newKey) {
          changes.push({ resource, action: 'unchanged', reasons: [], rewrite: false, ...(firstIssuance ? { firstIssuance } : {}) });
          break;
        }
        const { owner, group } = ownership(resource);
        const reasons =
          observed?.state !== 'certificate'
            ? ['self-signed until the first issuance']
            : [`${newKey ? 'the key is new' : 'it does not match the key'}: replaced by a self-signed placeholder until the next issuance`];
        changes.push({
          resource,
          action: observed?.state === 'certificate' ? 'update' : 'create',
          reasons,
          owner,
          group,
          mode: resource.mode ?? defaultModes.file,
          rewrite: true,
          ...(firstIssuance ? { firstIssuance } : {}),
        });
        placeholders.push(resource.dir);
        break;
      }
      case 'file': {
        const change = attributeChange(resource, observed);
        const before = observed?.state === 'file' ? observed.content : undefined;
        const contentChanged = observed?.state !== 'file' || observed.sha256 !== sha256(resource.content);
        if (observed?.state === 'file' && contentChanged) {
          change.reasons.unshift('content');
          change.action = 'update';
          change.rewrite = true;
          change.mode = resource.mode ?? observed.mode;
        }
        if (contentChanged) {
          const secret = resource.secret || revealsSecret([resource.content, before], options.secretValues);
          change.diff = secret ? hidden : unifiedDiff(resource.path, before ?? '', resource.content);
        }
        changes.push(change);
        break;
      }
    }
  }

  const parentDirs = parentDirErrors(desired, actual, options.root);
  errors.push(...parentDirs.errors);
  for (const change of changes) {
    const below = parentDirs.recheckBelow.get(change.resource);
    if (below !== undefined && isPending(change)) change.recheckBelow = below;
  }
  if (unappliedAccounts.size > 0) {
    notices.push(
      actual.isRoot
        ? `owner/group not set where the account does not exist here: ${[...unappliedAccounts].sort().join(', ')}`
        : 'not running as root: owner and group changes skipped',
    );
  }
  if (placeholders.length > 0 && (underRoot || options.check)) {
    const where = underRoot ? 'under a --root tree' : 'in check mode';
    notices.push(`no CA is contacted ${where}: a self-signed placeholder stands in for ${placeholders.join(', ')}`);
  }
  const recorded = planRecord(desired, actual, {
    root: options.root,
    secretValues: options.secretValues,
    issued: underRoot ? [] : issuedInThisApply(desired, changes),
  });
  errors.push(...recorded.errors);
  notices.push(...recorded.notices);
  for (const change of changes) {
    const waits = waitsForIssuance(change, recorded.awaited);
    if (waits !== undefined) change.afterIssuance = waits;
  }
  // The issuance a removal waits for runs in this apply even when nothing else notifies it (an earlier
  // apply made the new certificate and the CA refused it).
  const notified = new Set([
    ...changes.filter(isPending).flatMap((c) => c.resource.notify),
    ...recorded.handlers.map((h) => h.name),
    ...recorded.awaited.flatMap((a) => a.handlers),
  ]);
  const handlers = desired.handlers.filter((h) => notified.has(h.name) || actual.pendingHandlers.includes(h.name));
  // A removed role's handler is not in the desired state: the record kept it.
  handlers.push(...recorded.handlers.filter((h) => !handlers.some((d) => d.name === h.name)));
  if (underRoot && handlers.length > 0) notices.push(`handlers not run under a --root tree: ${handlers.map((h) => h.name).join(', ')}`);
  const warnings = foreignLinkWarnings(desired, actual);
  return {
    host: desired.host,
    root: options.root,
    changes,
    removals: recorded.removals,
    ...(warnings.length > 0 ? { warnings } : {}),
    ...(recorded.record ? { record: recorded.record } : {}),
    ...(recorded.awaited.length > 0 && !underRoot ? { awaited: recorded.awaited } : {}),
    handlers: underRoot ? [] : handlers,
    notices,
    errors,
  };
}
