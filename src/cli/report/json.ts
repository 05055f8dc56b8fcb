import { resourceTarget } from '../../model/desired.js';
import { isPending } from '../../plan/types.js';
import type { HostResult } from '../../apply/host-result.js';
import { wasPostponed } from '../../apply/host-result.js';

/** The one JSON document `--json` prints. */
export function applyJsonReport(results: HostResult[], check: boolean): object {
  return {
    check,
    hosts: results.map((r) => ({
      name: r.name,
      status: r.status,
      changes: (r.plan?.changes ?? [])
        .filter(isPending)
        .map((c): { resource: string; path: string; action: string; error?: string; postponed?: true } => ({
          resource: c.resource.kind,
          path: resourceTarget(c.resource),
          action: c.action,
          ...(r.failures.has(c.resource.id) ? { error: r.failures.get(c.resource.id) } : {}),
          // waited for a new certificate that was not issued: not made, left for the next apply
          ...(wasPostponed(r, c.resource.id, c.afterIssuance !== undefined) ? { postponed: true as const } : {}),
        }))
        .concat(
          (r.plan?.removals ?? []).map((removal) => ({
            resource: removal.entry.kind,
            path: removal.entry.path,
            action: 'remove' as const,
            ...(r.failures.has(removal.id) ? { error: r.failures.get(removal.id) } : {}),
            ...(wasPostponed(r, removal.id, removal.awaits !== undefined) ? { postponed: true as const } : {}),
          })),
        ),
      handlers: check
        ? (r.plan?.handlers ?? []).map((h) => ({ name: h.name, ran: false }))
        : r.handlersRun.map((h) => ({ name: h.name, ran: true, ok: h.ok, ...(h.ok ? {} : { error: h.detail }) })),
      notices: [...(r.notices ?? []), ...(r.plan?.notices ?? []), ...(r.plan?.warnings ?? []).map((w) => `warning: ${w}`)],
      error: r.error ?? null,
      roundTrips: r.roundTrips ?? 0,
      seconds: r.seconds === undefined ? null : Math.round(r.seconds * 1000) / 1000,
    })),
    summary: {
      hosts: results.length,
      changed: results.filter((r) => r.status === 'changed').length,
      failed: results.filter((r) => r.status === 'failed').length,
      unreachable: results.filter((r) => r.status === 'unreachable').length,
    },
  };
}
