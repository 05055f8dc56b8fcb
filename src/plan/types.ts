import type { Handler, Resource } from '../model/desired.js';
import type { RecordUpdate, Removal } from './removals.js';
import type { AwaitedCertificate } from './renames.js';

/** skipped: cannot be managed in this kind of run (users under a --root tree), not an error. */
export type Action = 'create' | 'update' | 'unchanged' | 'skipped';

export interface Change {
  resource: Resource;
  action: Action;
  /** what differs, in words: "content", "mode 0644 -> 0640" */
  reasons: string[];
  /** unified diff, or "(content hidden)" for secrets */
  diff?: string;
  /** what the apply sets: owner and group only where they can be applied */
  owner?: string;
  group?: string;
  mode?: string;
  /** the content (or key, or CSR) must be (re)written, not only its attributes */
  rewrite: boolean;
  /** a directory replaces the older layout's link to this target (the probe saw it) */
  replacesLink?: string;
  /**
   * A directory (on the machine) that another account could write when the probe looked and that
   * this apply makes root's first: every entry below it on the way to the path is checked again
   * before the apply acts on the path.
   */
  recheckBelow?: string;
  /** placeholder_certificate: the CA has not issued it yet (missing, or still the self-signed placeholder) */
  firstIssuance?: boolean;
  /** put in place only once this certificate is issued: it replaces a removed one (src/plan/renames.ts) */
  afterIssuance?: string;
}

export interface Plan {
  host: string;
  /** the host's tree is under this directory (a --root run), or undefined */
  root?: string;
  changes: Change[];
  /** recorded paths the desired state dropped, that the apply removes (src/plan/removals.ts) */
  removals: Removal[];
  /** the record of what provision manages, as the apply writes it (a real host as root only) */
  record?: RecordUpdate;
  /** certificates whose issuance removals (and their own sites) wait for: a rename (src/plan/renames.ts) */
  awaited?: AwaitedCertificate[];
  /** handlers that changed or removed resources notify, in definition order */
  handlers: Handler[];
  /** said once per host: why something is not managed in this run */
  notices: string[];
  /** said even when nothing changes: leftovers provision never removes (src/plan/foreign-links.ts) */
  warnings?: string[];
  /** reasons the plan cannot be applied (a directory where a file belongs...); the host fails */
  errors: string[];
}

/** Something to do on the host: a resource to change or a handler owed. */
export function hasWork(plan: Plan): boolean {
  return pendingChanges(plan).length > 0 || plan.removals.length > 0 || plan.handlers.length > 0;
}

/** Only the record needs writing (first run on a host, a recorded path gone): bookkeeping, not a change. */
export function recordOnly(plan: Plan): boolean {
  return !hasWork(plan) && plan.record !== undefined && plan.record.after !== plan.record.current;
}

/** A change the apply makes: a create or an update (not unchanged, not skipped). */
export function isPending(change: Change): boolean {
  return change.action === 'create' || change.action === 'update';
}

export function pendingChanges(plan: Plan): Change[] {
  return plan.changes.filter(isPending);
}
