// The record of what provision manages, planned: what the desired state dropped is removed (only what
// provision created), and the record the apply writes. Pure, like the rest of the plan.
//
// The apply writes the record twice, so a run cut off anywhere leaves a record that holds at least
// everything provision made: before it changes anything, the record with every path it may create and
// every path it still has to remove (`before`); after the removals succeeded, the desired state's
// (`after`). A path in the record that is not there any more is dropped at the next run.
import type { ActualState, WasState } from '../model/actual.js';
import type { DesiredState, Handler, PathResource } from '../model/desired.js';
import { isPathResource } from '../model/desired.js';
import { formatRecord, parseRecordHandler, parseRecordPath, recordedHandlers, recordKind, removalHandlers } from '../model/managed-record.js';
import type { RecordEntry, RecordedHandler } from '../model/managed-record.js';
import { archiveDir, managedRecordFile } from '../host/protocol/files.js';
import { hidden, revealsSecret, unifiedDiff } from './diff.js';
import type { AwaitedCertificate } from './renames.js';
import { awaitIssuance } from './renames.js';

/** A recorded path the desired state no longer has, that provision created and removes. */
export interface Removal {
  /** `remove:<path>`: how the host's result names it */
  id: string;
  entry: RecordEntry;
  was: WasState;
  reasons: string[];
  diff?: string;
  /** the certificates whose issuance it waits for (src/plan/renames.ts): removed only once they are issued */
  awaits?: string[];
}

export interface RecordUpdate {
  file: string;
  /** the record as the probe read it ('' when there was none) */
  current: string;
  /** written before anything changes: every path the apply may create and every one it removes */
  before: string;
  /** written once the removals are done */
  after: string;
  /** written once the removals that wait for nothing are done, when some wait for an issuance: it keeps theirs */
  postponed?: string;
}

export interface RecordPlan {
  removals: Removal[];
  record?: RecordUpdate;
  /** handlers the removed paths notified (the desired state's of that name, else the recorded one) */
  handlers: Handler[];
  notices: string[];
  errors: string[];
  /** the certificates removals wait for (src/plan/renames.ts) */
  awaited: AwaitedCertificate[];
}

/** What a removal does, in words: links go, the rest is kept in the archive. */
function removalReason(entry: RecordEntry): string {
  const what = entry.certificate !== undefined ? ` (certificate ${entry.certificate})` : '';
  switch (entry.kind) {
    case 'symlink':
      return `no longer managed${what}: the link is removed`;
    case 'directory':
      return `no longer managed${what}: removed when empty`;
    default:
      return `no longer managed${what}: kept in ${archiveDir}`;
  }
}

function removalDiff(entry: RecordEntry, was: WasState, secretValues: string[]): string | undefined {
  if (was.state === 'symlink') return `(link to ${was.target} removed)`;
  if (was.state !== 'file') return undefined;
  if (entry.kind === 'private_key') return '(private key archived, never shown)';
  if (entry.kind !== 'file') return `(${entry.kind === 'csr' ? 'CSR' : 'certificate files'} archived)`;
  if (entry.secret || was.content === undefined || revealsSecret([was.content], secretValues)) return hidden;
  return unifiedDiff(entry.path, was.content, '');
}

/** Is `was` what provision made for `entry`, so that removing it removes only that? */
function sameKind(entry: RecordEntry, was: WasState): boolean {
  if (entry.kind === 'symlink') return was.state === 'symlink';
  if (entry.kind === 'directory') return was.state === 'directory';
  return was.state === 'file';
}

function entryOf(resource: PathResource, old: RecordEntry | undefined, actual: ActualState): RecordEntry {
  // First managed now: provision creates it only when nothing is there; what was there is taken over.
  const created = old ? old.created : actual.resources.get(resource.id)?.state === 'missing';
  return {
    kind: recordKind(resource),
    path: resource.path,
    role: resource.role,
    ...(resource.certificate !== undefined ? { certificate: resource.certificate } : {}),
    created,
    secret: resource.kind === 'private_key' || (resource.kind === 'file' && resource.secret),
    notify: resource.notify,
    ...(resource.notifyRemoved !== undefined ? { notifyRemoved: resource.notifyRemoved } : {}),
  };
}

const isInside = (path: string, dir: string) => path.startsWith(`${dir === '/' ? '' : dir}/`);

/**
 * The record and the removals of a host. Only on a real host as root (never under a --root tree):
 * elsewhere nothing is recorded and nothing removed.
 */
export function planRecord(
  desired: DesiredState,
  actual: ActualState,
  options: { root?: string; secretValues: string[]; issued?: AwaitedCertificate[] },
): RecordPlan {
  const plan: RecordPlan = { removals: [], handlers: [], notices: [], errors: [], awaited: [] };
  if (options.root !== undefined || !actual.isRoot) return plan;
  const file = managedRecordFile(desired.host);
  const probed = actual.record;
  if (probed?.unsafe) {
    plan.errors.push(
      `${file} is not a regular file of root's in a directory only root can write: provision does not trust it; remove it (the next run records what it manages again, taking over what exists)`,
    );
    return plan;
  }
  const lines = probed?.lines ?? [];
  const oldEntries = new Map<string, RecordEntry>();
  const oldHandlers = new Map<string, RecordedHandler>();
  for (const line of lines) {
    const entry = parseRecordPath(line);
    if (entry) oldEntries.set(entry.path, entry);
    const handler = parseRecordHandler(line);
    if (handler) oldHandlers.set(handler.name, handler);
  }

  const resources = desired.resources.filter(isPathResource);
  const wanted = new Set(resources.map((r) => r.path));
  const entries = resources.map((r) => entryOf(r, oldEntries.get(r.path), actual));
  const kept: RecordEntry[] = [];
  const candidates: { entry: RecordEntry; was: WasState }[] = [];
  for (const entry of oldEntries.values()) {
    if (wanted.has(entry.path)) continue;
    const was = probed?.was.get(entry.path);
    // Not looked at (the desired state changed after the probe): decided by the next run.
    if (was === undefined) kept.push(entry);
    else if (was.state === 'missing') continue;
    else if (!entry.created) plan.notices.push(`left in place, no longer managed: ${entry.path} (it was there before provision managed it)`);
    else if (!sameKind(entry, was))
      plan.notices.push(`left in place, no longer managed: ${entry.path} (not the ${entry.kind.replace('_', ' ')} provision made)`);
    else if (resources.some((r) => isInside(r.path, entry.path)))
      continue; // still holds managed paths
    else candidates.push({ entry, was });
  }
  for (const { entry, was } of candidates) {
    const removesInside = candidates.some((c) => c.entry !== entry && isInside(c.entry.path, entry.path));
    if (was.state === 'directory' && !was.empty && !removesInside) {
      plan.notices.push(`left in place, no longer managed: ${entry.path} (a directory that is not empty)`);
      continue;
    }
    const diff = removalDiff(entry, was, options.secretValues);
    plan.removals.push({ id: `remove:${entry.path}`, entry, was, reasons: [removalReason(entry)], ...(diff !== undefined ? { diff } : {}) });
  }
  // Files and links first, then directories, the deepest first.
  plan.removals.sort((a, b) => Number(a.entry.kind === 'directory') - Number(b.entry.kind === 'directory') || b.entry.path.length - a.entry.path.length);
  plan.awaited = awaitIssuance(plan.removals, options.issued ?? []);

  const handlersFor = (list: RecordEntry[]) => {
    const known = recordedHandlers(list, desired.handlers);
    const names = new Set(known.map((h) => h.name));
    for (const name of new Set(list.flatMap((e) => [...e.notify, ...(e.notifyRemoved ?? [])]))) {
      const old = oldHandlers.get(name);
      if (!names.has(name) && old) known.push(old);
    }
    return known;
  };
  const finalEntries = [...entries, ...kept];
  const removed = plan.removals.map((r) => r.entry);
  for (const name of new Set(removed.flatMap(removalHandlers))) {
    const role = removed.find((e) => removalHandlers(e).includes(name))!.role;
    const handler = desired.handlers.find((h) => h.name === name) ?? oldHandlers.get(name);
    if (handler) plan.handlers.push({ role, ...handler });
    else plan.notices.push(`handler ${name}, which removed paths notify, is not known (not in the roles nor in the record): not run`);
  }
  // A handler still owed (it failed, or a run was cut off before it) whose role is gone: the record has it.
  for (const name of actual.pendingHandlers) {
    const old = oldHandlers.get(name);
    if (old && !desired.handlers.some((h) => h.name === name) && !plan.handlers.some((h) => h.name === name)) plan.handlers.push({ role: '', ...old });
  }
  // The handlers this apply runs that no remaining path notifies stay recorded until they have run:
  // one that fails is owed to the next run, which finds it here.
  const owed = (list: RecordEntry[]) => {
    const known = handlersFor(list);
    return [
      ...known,
      ...plan.handlers
        .filter((h) => !desired.handlers.some((d) => d.name === h.name) && !known.some((k) => k.name === h.name))
        .map(({ name, steps }) => ({ name, steps })),
    ];
  };
  const current = lines.length > 0 ? `${lines.join('\n')}\n` : '';
  const after = formatRecord({ entries: finalEntries, handlers: owed(finalEntries) });
  const before = removed.length > 0 ? formatRecord({ entries: [...finalEntries, ...removed], handlers: owed([...finalEntries, ...removed]) }) : after;
  const waiting = plan.removals.filter((r) => r.awaits !== undefined).map((r) => r.entry);
  const postponed = waiting.length > 0 ? formatRecord({ entries: [...finalEntries, ...waiting], handlers: owed([...finalEntries, ...waiting]) }) : undefined;
  plan.record = { file, current, before, after, ...(postponed !== undefined ? { postponed } : {}) };
  return plan;
}
