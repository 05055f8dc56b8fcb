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

/** Resources created or updated, plus handlers run (or due, in check mode), as Ansible counts them. */
export function changeCount(result: HostResult): number {
  const resources = result.plan?.changes.filter((c) => c.action === 'create' || c.action === 'update').length ?? 0;
  return resources + (result.plan?.handlers.length ?? 0);
}

export function okCount(result: HostResult): number {
  return result.plan?.changes.filter((c) => c.action !== 'skipped' && !result.failures.has(c.resource.id)).length ?? 0;
}
