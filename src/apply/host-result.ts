import type { Problem } from '../model/errors.js';
import type { Change, Plan } from '../plan/types.js';
import { isPending } from '../plan/types.js';

export type HostStatus = 'ok' | 'changed' | 'failed' | 'unreachable';

export interface HostResult {
  name: string;
  status: HostStatus;
  plan?: Plan;
  /** ids of resources the apply failed on, with the reason */
  failures: Map<string, string>;
  handlersRun: { name: string; ok: boolean; detail: string }[];
  error?: string;
  /** true when the apply ran (not check mode) */
  applied: boolean;
  /** ids of the resources the apply reported done (an aborted apply changes nothing) */
  done?: Set<string>;
  /** said even when nothing changed: the inventory states a version the host does not run */
  notices?: string[];
  /** the roles' warnings with the host's own versions (printed once by the CLI, with the others) */
  warnings?: Problem[];
  /** scripts run on the host: 1 for a run that changes nothing, 2 for one that changes something */
  roundTrips?: number;
  /** wall-clock time of the host's run */
  seconds?: number;
}

/**
 * A change or removal that waited for a new certificate's issuance (src/plan/renames.ts) and was not
 * made: the certificate was not issued, so it is left for the next apply.
 */
export function wasPostponed(result: HostResult, id: string, waited: boolean): boolean {
  return waited && result.applied && !result.failures.has(id) && !(result.done?.has(id) ?? false);
}

/** Handlers that ran successfully, or that would run (check mode). */
function handlersDone(result: HostResult): number {
  if (!result.applied) return result.plan?.handlers.length ?? 0;
  return result.handlersRun.filter((h) => h.ok).length;
}

/** Resources created or updated and handlers run, as Ansible counts changed (failures not included). */
export function changeCount(result: HostResult): number {
  const made = (id: string) => (result.applied ? (result.done?.has(id) ?? false) : !result.failures.has(id));
  const resources = result.plan?.changes.filter((c) => isPending(c) && made(c.resource.id)).length ?? 0;
  const removed = result.plan?.removals.filter((r) => made(r.id)).length ?? 0;
  return resources + removed + handlersDone(result);
}

/** Resources and handlers that are (now) as they should be; includes the changed ones, as in Ansible. */
export function okCount(result: HostResult): number {
  const fine = (c: Change) => {
    if (c.action === 'skipped' || result.failures.has(c.resource.id)) return false;
    if (c.action === 'unchanged' || !result.applied) return true;
    return result.done?.has(c.resource.id) ?? false;
  };
  const removed = result.plan?.removals.filter((r) => !result.failures.has(r.id) && (!result.applied || result.done?.has(r.id))).length ?? 0;
  return (result.plan?.changes.filter(fine).length ?? 0) + removed + handlersDone(result);
}

/**
 * The progress line's counts: every resource and handler of the run in exactly one of them, so they add
 * up to what the host had to do. `notDone`: changes and handlers an aborted apply never reached.
 */
export function progressCounts(result: HostResult): { changed: number; unchanged: number; failed: number; notDone: number } {
  const changes = result.plan?.changes ?? [];
  const handlers = result.plan?.handlers ?? [];
  const failedHandlers = result.handlersRun.filter((h) => !h.ok).length;
  const removals = result.plan?.removals ?? [];
  const resourceFailures = changes.filter((c) => result.failures.has(c.resource.id)).length + removals.filter((r) => result.failures.has(r.id)).length;
  // A failure of the script itself (say, recording pending handlers) has no resource to belong to.
  const otherFailures = [...result.failures.keys()].filter((id) => !changes.some((c) => c.resource.id === id) && !removals.some((r) => r.id === id)).length;
  const unchanged = changes.filter((c) => c.action === 'unchanged' && !result.failures.has(c.resource.id)).length;
  const changed = changeCount(result);
  const failed = resourceFailures + failedHandlers + otherFailures;
  const wanted = changes.filter(isPending).length + removals.length + handlers.length;
  const notDone = Math.max(0, wanted - changed - resourceFailures - failedHandlers);
  return { changed, unchanged, failed, notDone };
}
