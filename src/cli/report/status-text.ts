// `provision status` for people: one line per certificate, the most urgent first (colour only on a
// terminal), a line per host that could not be asked and per warning of a host (leftovers), then the summary.
import { duration, isoTime } from '../../status/health.js';
import type { CertificateStatus, Health, HostStatus } from '../../status/types.js';
import { healthOrder } from '../../status/types.js';
import type { Colors } from './colors.js';

const label: Record<Health, string> = { ok: 'OK', 'renewal due': 'DUE', unknown: 'UNKNOWN', warning: 'WARNING', critical: 'CRITICAL' };

function paint(health: Health, text: string, c: Colors): string {
  if (health === 'critical') return c.red(c.bold(text));
  if (health === 'warning' || health === 'unknown') return c.yellow(text);
  if (health === 'renewal due') return c.cyan(text);
  return c.green(text);
}

const urgency = (h: Health) => healthOrder.indexOf(h);

/** `next`: when the schedule next runs (a due certificate's line says it: that run takes it). */
function certificateLine(host: string, cert: CertificateStatus, c: Colors, next?: string): string {
  const facts: string[] = [];
  if (cert.installed) {
    facts.push(
      cert.secondsLeft! > 0
        ? `expires ${isoTime(cert.notAfter!)} (in ${duration(cert.secondsLeft!)}, ${Math.round(cert.shareLeft! * 100)} %)`
        : `expired ${isoTime(cert.notAfter!)}`,
    );
    facts.push(`serial ${cert.serial}`);
    if (cert.keyType) facts.push(cert.keyType);
    if (cert.served.length > 0) facts.push(`served ${cert.served.filter((s) => s.matches).length}/${cert.served.length}`);
    // The renewal script's own plan, when its state says one (else the third-of-lifetime rule applies).
    if (cert.renewal?.plannedRenewalAt !== undefined) facts.push(`renewal planned ${isoTime(cert.renewal.plannedRenewalAt)}`);
  }
  if (cert.health === 'renewal due' && next !== undefined) facts.push(`next run ${next}`);
  const why = cert.reasons.length > 0 ? `: ${cert.reasons.join('; ')}` : '';
  return `${paint(cert.health, label[cert.health].padEnd(8), c)} ${host} ${c.bold(cert.name)} ${facts.join(', ')}${why}`;
}

export function statusTextLines(hosts: HostStatus[], c: Colors): string[] {
  const rows: { health: Health; line: string }[] = [];
  for (const host of hosts) {
    if (host.reach !== 'ok') {
      rows.push({ health: 'unknown', line: `${paint('unknown', label.unknown.padEnd(8), c)} ${host.name} ${host.reach}: ${host.error ?? ''}` });
      continue;
    }
    for (const cert of host.certificates) rows.push({ health: cert.health, line: certificateLine(host.name, cert, c, host.schedule?.next) });
    // The host's own warnings (a leftover site, as plan says it), one line each.
    for (const warning of host.warnings ?? [])
      rows.push({ health: 'warning', line: `${paint('warning', label.warning.padEnd(8), c)} ${host.name}: ${warning}` });
  }
  // Stable: the inventory's order within one health.
  rows.sort((a, b) => urgency(b.health) - urgency(a.health));
  return [...rows.map((r) => r.line), summaryLine(hosts)];
}

export function statusCounts(hosts: HostStatus[]): Record<Health, number> & { certificates: number; hostsUnknown: number } {
  const counts = { ok: 0, 'renewal due': 0, unknown: 0, warning: 0, critical: 0, certificates: 0, hostsUnknown: 0 };
  for (const host of hosts) {
    if (host.reach !== 'ok') counts.hostsUnknown++;
    for (const cert of host.certificates) {
      counts[cert.health]++;
      counts.certificates++;
    }
  }
  return counts;
}

function summaryLine(hosts: HostStatus[]): string {
  const n = statusCounts(hosts);
  const parts = [`${n.critical} critical`, `${n.warning} warning`, `${n['renewal due']} renewal due`, `${n.ok} ok`];
  const unknown = n.hostsUnknown > 0 ? `; ${n.hostsUnknown} host${n.hostsUnknown === 1 ? '' : 's'} unknown (not reached)` : '';
  return `${n.certificates} certificate${n.certificates === 1 ? '' : 's'} on ${hosts.length} host${hosts.length === 1 ? '' : 's'}: ${parts.join(', ')}${unknown}`;
}
