// `provision status --format nagios`: one status line with perfdata and the monitoring-plugin exit
// codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), for Icinga or Nagios. A renewal that is due is OK:
// the next scheduled run takes it. Thresholds are the certificates' own lifetimes (src/status/health.ts).
import type { HostStatus } from '../../status/types.js';
import { statusCounts } from './status-text.js';

export function statusNagios(hosts: HostStatus[]): { line: string; exitCode: number } {
  const n = statusCounts(hosts);
  // A host's own warnings (leftovers) make it WARNING too, and are said after the certificates'.
  const hostWarnings = hosts.flatMap((h) => (h.warnings ?? []).map((w) => `${h.name}: ${w}`));
  const [state, exitCode] =
    n.critical > 0 ? ['CRITICAL', 2] : n.warning > 0 || hostWarnings.length > 0 ? ['WARNING', 1] : n.hostsUnknown > 0 ? ['UNKNOWN', 3] : ['OK', 0];
  const worst = hosts
    .flatMap((h) =>
      h.certificates.filter((c) => c.health === (state === 'CRITICAL' ? 'critical' : 'warning')).map((c) => `${h.name} ${c.name}: ${c.reasons[0]}`),
    )
    .concat(state === 'WARNING' ? hostWarnings : [])
    .concat(state === 'UNKNOWN' ? hosts.filter((h) => h.reach !== 'ok').map((h) => `${h.name} ${h.reach}`) : []);
  const ratios = hosts.flatMap((h) => h.certificates.flatMap((c) => (c.shareLeft === undefined ? [] : [c.shareLeft])));
  const minimum = ratios.length > 0 ? Math.max(0, Math.min(...ratios)) : undefined;
  const perfdata = [
    `certificates=${n.certificates}`,
    `critical=${n.critical}`,
    `warning=${n.warning}`,
    `renewal_due=${n['renewal due']}`,
    `ok=${n.ok}`,
    `hosts_unknown=${n.hostsUnknown}`,
    ...(minimum === undefined ? [] : [`min_lifetime_left=${(minimum * 100).toFixed(1)}%;${(100 / 6).toFixed(1)}:;${(100 / 12).toFixed(1)}:;0;100`]),
  ];
  const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;
  const summary = `${plural(n.certificates, 'certificate')} on ${plural(hosts.length, 'host')}: ${n.critical} critical, ${n.warning} warning, ${n['renewal due']} renewal due, ${n.ok} ok`;
  const detail = worst.length > 0 ? ` - ${worst.slice(0, 3).join('; ').replace(/\|/g, '/')}${worst.length > 3 ? `; and ${worst.length - 3} more` : ''}` : '';
  return { line: `PROVISION ${state} - ${summary}${detail} | ${perfdata.join(' ')}`, exitCode };
}
