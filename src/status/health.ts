// Judging one certificate as the host reported it, relative to its own lifetime, never in fixed days:
// a 6-day and a 90-day certificate are judged alike. Let's Encrypt's clients renew with a third of the
// lifetime left (ARI's window is centred there: /work/shared/docs/ca-2026.md, "ARI"), so:
//   renewal due  a third or less left, or the renewal state's planned moment or ARI window has come:
//                the next scheduled run takes it
//   warning      under a sixth left (it should have been renewed by now), the last renewal failed, no
//                schedule, names that drifted from the inventory, a chain that does not verify
//   critical     expired or under a twelfth left, a daemon serving another certificate than the
//                installed one, a key that does not match, the placeholder still in place an hour
//                after it was made (the first issuance runs at apply), no certificate at all
import type { ObservedCertificate, ObservedEndpoint, ObservedSchedule, StatusObservation } from '../host/protocol/parse-status.js';
import { formatHostTime, hostClock, nextCronRun, parseCronTimes } from './cron-next.js';
import type { HostEndpoint } from '../render/endpoints.js';
import { parseRenewalState } from './renewal-state.js';
import type { CertificateTarget, ScheduleTarget } from './targets.js';
import type { CertificateStatus, Health, ScheduleStatus, ServedStatus } from './types.js';
import { worst } from './types.js';

export const dueShare = 1 / 3;
export const warningShare = 1 / 6;
export const criticalShare = 1 / 12;
/** how long a placeholder may stand before the first issuance should have replaced it */
export const placeholderGraceSeconds = 3600;

/** `3 d 4 h`, `5 h 10 min`, `40 s`: a duration for people. */
export function duration(seconds: number): string {
  const s = Math.abs(Math.round(seconds));
  if (s >= 86400) return `${Math.floor(s / 86400)} d${s % 86400 >= 3600 ? ` ${Math.floor((s % 86400) / 3600)} h` : ''}`;
  if (s >= 3600) return `${Math.floor(s / 3600)} h${s % 3600 >= 60 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
  if (s >= 60) return `${Math.floor(s / 60)} min`;
  return `${s} s`;
}

export function isoTime(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export function judgeSchedule(
  target: ScheduleTarget | undefined,
  observed: ObservedSchedule | undefined,
  seen?: Pick<StatusObservation, 'cron' | 'now' | 'zone'>,
): ScheduleStatus | undefined {
  if (!target) return undefined;
  const present = observed?.present ?? false;
  const timerOk = target.unit === undefined || (observed?.enabled === 'enabled' && observed.active === 'active');
  return {
    kind: target.kind,
    file: target.file,
    present,
    ...(target.unit === undefined ? {} : { unit: target.unit, enabled: observed?.enabled, active: observed?.active, next: observed?.next }),
    ...(target.cron && present && seen ? cronNext(seen) : {}),
    ok: present && timerOk,
  };
}

/** A cron schedule's next run, from its line on the host, in the host's zone (stated: a name, an offset or UTC). */
function cronNext(seen: Pick<StatusObservation, 'cron' | 'now' | 'zone'>): Pick<ScheduleStatus, 'next' | 'nextAt' | 'zone'> {
  const times = seen.cron === undefined ? undefined : parseCronTimes(seen.cron);
  if (!times || !Number.isFinite(seen.now)) return {};
  const clock = hostClock(seen.zone);
  const at = nextCronRun(times, seen.now, clock.offsetAt);
  return at === undefined ? {} : { next: `${formatHostTime(at, clock.offsetAt)} (${clock.label})`, nextAt: at, zone: clock.label };
}

function scheduleReason(schedule: ScheduleStatus | undefined): string | undefined {
  if (!schedule || schedule.ok) return undefined;
  if (!schedule.present) return `no renewal schedule: ${schedule.file} is missing (acme_schedule ${schedule.kind})`;
  return `the renewal timer ${schedule.unit} is ${schedule.enabled ?? 'unknown'} and ${schedule.active ?? 'unknown'}, not enabled and active`;
}

function served(endpoint: HostEndpoint, observed: ObservedEndpoint | undefined, installed: ObservedCertificate): ServedStatus {
  const at = { service: endpoint.service, port: endpoint.port, starttls: endpoint.starttls, serverName: endpoint.serverName };
  // The installed leaf itself: its serial and dates are the installed one's.
  if (observed?.same && installed.serial !== undefined) return { ...at, serial: installed.serial, notAfter: installed.notAfter, matches: true };
  if (!observed?.serial) return { ...at, matches: false, error: observed?.error ?? 'no answer' };
  return { ...at, serial: observed.serial, notAfter: observed.notAfter, matches: observed.serial === installed.serial };
}

function where(s: ServedStatus): string {
  return `${s.service} on port ${s.port}${s.starttls === 'none' ? '' : ` (STARTTLS ${s.starttls})`} for ${s.serverName}`;
}

export function judgeCertificate(
  target: CertificateTarget,
  observed: ObservedCertificate | undefined,
  endpoints: { endpoint: HostEndpoint; observed: ObservedEndpoint | undefined }[],
  schedule: ScheduleStatus | undefined,
  now: number,
): CertificateStatus {
  const critical: string[] = [];
  const warning: string[] = [];
  const due: string[] = [];
  const renewal = observed?.state ? parseRenewalState(observed.state) : null;
  const installed = Boolean(observed && observed.readable && observed.serial && observed.notAfter !== undefined && observed.notBefore !== undefined);
  const status: CertificateStatus = {
    name: target.name,
    domains: target.domains,
    installed,
    names: observed?.names ?? [],
    placeholder: false,
    drift: { missing: [], extra: [] },
    renewal,
    served: [],
    health: 'ok',
    reasons: [],
  };
  if (!observed || !installed) {
    critical.push(
      observed?.files['fullchain.pem'] === '1' ? 'fullchain.pem is not a readable certificate' : 'no certificate installed (fullchain.pem missing)',
    );
  } else {
    const { notBefore, notAfter } = observed as Required<Pick<ObservedCertificate, 'notBefore' | 'notAfter'>>;
    const lifetime = Math.max(1, notAfter - notBefore);
    const left = notAfter - now;
    const share = left / lifetime;
    status.placeholder = observed.subject !== undefined && observed.subject === observed.issuer;
    Object.assign(status, {
      keyType: observed.keyType,
      issuer: observed.issuer,
      serial: observed.serial,
      notBefore,
      notAfter,
      secondsLeft: left,
      shareLeft: share,
      keyMatches: observed.keyMatch === 'yes' ? true : observed.keyMatch === 'no' || observed.keyMatch === 'missing' ? false : undefined,
      oneSet: observed.oneSet,
      chainIssued: observed.chainIssued,
      trusted: observed.trusted,
    });
    status.renewalAt = renewal?.plannedRenewalAt ?? notAfter - lifetime * dueShare;
    const percent = `${Math.round(share * 100)} % of its lifetime`;

    if (left <= 0) critical.push(`expired ${duration(-left)} ago (${isoTime(notAfter)})`);
    else if (status.placeholder) {
      if (now - notBefore > placeholderGraceSeconds)
        critical.push(`still the self-signed placeholder, made ${duration(now - notBefore)} ago: the first issuance has not happened`);
      else due.push('the self-signed placeholder: the first issuance is pending');
    } else if (share < criticalShare) critical.push(`expires in ${duration(left)} (${percent} left)`);
    else if (share < warningShare) warning.push(`expires in ${duration(left)} (${percent} left): it should have been renewed by now`);
    else if (share <= dueShare) due.push(`renewal due: ${duration(left)} (${percent}) left`);
    else if (renewal?.plannedRenewalAt !== undefined && renewal.plannedRenewalAt <= now)
      due.push(`renewal due: planned for ${isoTime(renewal.plannedRenewalAt)}`);
    else if (renewal?.ari?.window && renewal.ari.window.start <= now)
      due.push(`renewal due: inside the CA's renewal window since ${isoTime(renewal.ari.window.start)}`);

    if (observed.keyMatch === 'no') critical.push("key mismatch: domain.key does not hold the certificate's public key");
    else if (observed.keyMatch === 'missing') critical.push('domain.key is missing');
    else if (observed.keyMatch === 'unreadable') warning.push('domain.key is not readable by this account (become root to check it)');

    if (!status.placeholder) {
      if (observed.chainIssued === false) critical.push('chain.pem did not issue the certificate: clients cannot build its chain');
      else if (observed.trusted === false) warning.push('the chain does not verify up to a trusted root (the system store, or acme_ca_file)');
      if (observed.oneSet === false) warning.push('signed.crt, chain.pem and fullchain.pem are not one set (the renewal script repairs this)');
      const names = new Set(observed.names);
      const wanted = new Set(target.domains);
      status.drift = { missing: target.domains.filter((d) => !names.has(d)), extra: observed.names.filter((n) => !wanted.has(n)) };
      if (status.drift.missing.length > 0 || status.drift.extra.length > 0) {
        const parts = [
          ...(status.drift.missing.length > 0 ? [`lacks ${status.drift.missing.join(', ')}`] : []),
          ...(status.drift.extra.length > 0 ? [`has ${status.drift.extra.join(', ')} the inventory no longer asks for`] : []),
        ];
        warning.push(`names differ from the inventory: ${parts.join('; ')}`);
      }
    }

    for (const { endpoint, observed: answer } of endpoints) {
      const s = served(endpoint, answer, observed);
      status.served.push(s);
      if (s.matches) continue;
      if (!s.serial) critical.push(`${where(s)} presents no certificate: ${s.error}`);
      else if (s.notAfter !== undefined && s.notAfter < notAfter)
        critical.push(`${where(s)} serves an older certificate (serial ${s.serial}, expires ${isoTime(s.notAfter)}): reload it`);
      else critical.push(`${where(s)} serves another certificate (serial ${s.serial}) than the installed one (${observed.serial})`);
    }
  }

  if (renewal?.unreadable) warning.push(`the renewal state cannot be read: ${renewal.unreadable}`);
  const attempt = renewal?.lastAttempt;
  if (attempt?.outcome === 'failed') {
    const failures = renewal?.consecutiveFailures ?? 1;
    warning.push(
      `the last renewal failed${attempt.at !== undefined ? ` at ${isoTime(attempt.at)}` : ''}${failures > 1 ? ` (${failures} in a row)` : ''}${attempt.error ? `: ${attempt.error}` : ''}`,
    );
  }
  if (renewal?.ari?.explanationURL) warning.push(`the CA explains its renewal window: ${renewal.ari.explanationURL}`);
  const missingSchedule = scheduleReason(schedule);
  if (missingSchedule) warning.push(missingSchedule);

  const health: Health = critical.length > 0 ? 'critical' : warning.length > 0 ? 'warning' : due.length > 0 ? 'renewal due' : 'ok';
  // The verdict first, then the facts, in the order a reader looks for them (the JSON report's order).
  const { name, domains, names, drift, served: servedBy, placeholder, health: _health, reasons: _reasons, ...rest } = status;
  return { name, domains, health, reasons: [...critical, ...warning, ...due], names, placeholder, ...rest, drift, served: servedBy };
}

export { worst };
