import type { Change, Plan } from '../plan/types.js';

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
  /** scripts run on the host: 1 for a run that changes nothing, 2 for one that changes something */
  roundTrips?: number;
  /** wall-clock time of the host's run */
  seconds?: number;
}

/** Handlers that ran successfully, or that would run (check mode). */
function handlersDone(result: HostResult): number {
  if (!result.applied) return result.plan?.handlers.length ?? 0;
  return result.handlersRun.filter((h) => h.ok).length;
}

/** Resources created or updated and handlers run, as Ansible counts changed (failures not included). */
export function changeCount(result: HostResult): number {
  const made = (id: string) => (result.applied ? (result.done?.has(id) ?? false) : !result.failures.has(id));
  const resources = result.plan?.changes.filter((c) => (c.action === 'create' || c.action === 'update') && made(c.resource.id)).length ?? 0;
  return resources + handlersDone(result);
}

/** Resources and handlers that are (now) as they should be; includes the changed ones, as in Ansible. */
export function okCount(result: HostResult): number {
  const fine = (c: Change) => {
    if (c.action === 'skipped' || result.failures.has(c.resource.id)) return false;
    if (c.action === 'unchanged' || !result.applied) return true;
    return result.done?.has(c.resource.id) ?? false;
  };
  return (result.plan?.changes.filter(fine).length ?? 0) + handlersDone(result);
}
