import type { Plan } from '../plan/types.js';

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
}

/** Handlers that ran successfully, or that would run (check mode). */
function handlersDone(result: HostResult): number {
  if (!result.applied) return result.plan?.handlers.length ?? 0;
  return result.handlersRun.filter((h) => h.ok).length;
}

/** Resources created or updated and handlers run, as Ansible counts changed (failures not included). */
export function changeCount(result: HostResult): number {
  const resources = result.plan?.changes.filter((c) => (c.action === 'create' || c.action === 'update') && !result.failures.has(c.resource.id)).length ?? 0;
  return resources + handlersDone(result);
}

/** Resources and handlers that are (now) as they should be; includes the changed ones, as in Ansible. */
export function okCount(result: HostResult): number {
  const resources = result.plan?.changes.filter((c) => c.action !== 'skipped' && !result.failures.has(c.resource.id)).length ?? 0;
  return resources + handlersDone(result);
}
