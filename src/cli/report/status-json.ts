// `provision status --format json`: one document; times are epoch seconds, as the renewal state's.
import type { HostStatus } from '../../status/types.js';
import { statusCounts } from './status-text.js';

export function statusJson(hosts: HostStatus[]): string {
  const n = statusCounts(hosts);
  const document = {
    version: 1,
    summary: {
      hosts: hosts.length,
      hostsUnknown: n.hostsUnknown,
      certificates: n.certificates,
      ok: n.ok,
      renewalDue: n['renewal due'],
      warning: n.warning,
      critical: n.critical,
    },
    hosts: hosts.map((h) => ({
      name: h.name,
      reach: h.reach,
      error: h.error ?? null,
      health: h.health,
      now: h.now ?? null,
      schedule: h.schedule ?? null,
      certificates: h.certificates,
      warnings: h.warnings ?? [],
    })),
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
