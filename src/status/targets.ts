// What `provision status` looks at on one host, from its rendered variables: each certificate of the
// letsencrypt role (acme_certificates) with its directory and renewal state file, the renewal
// schedule acme_schedule asks for, and the endpoints the host's roles declare (role.yml endpoints:).
import type { RoleRenderer } from '../render/render-host.js';
import { hostCertificates, hostEndpoints } from '../render/endpoints.js';
import type { HostEndpoint } from '../render/endpoints.js';
import type { Problem } from '../model/errors.js';

/**
 * Where the renewal script keeps each certificate's state (NAME.json, format version 1, written by
 * the script since the renewal issue; kept across reboots, unlike its /run records). A host's
 * acme_state_dir, should the letsencrypt role declare one, wins.
 */
export const defaultStateDir = '/var/lib/letsencrypt-renew';

export interface CertificateTarget {
  name: string;
  /** the names the inventory asks for */
  domains: string[];
  dir: string;
  stateFile: string;
}

export interface ScheduleTarget {
  kind: string;
  /** the file the schedule is (roles/letsencrypt/role.yml renders it) */
  file: string;
  /** the systemd timer that must be enabled */
  unit?: string;
  /** the cron line that runs it (FILE, a WORD it holds): its next run is computed from it */
  cron?: { file: string; word: string };
}

export interface StatusTargets {
  certificates: CertificateTarget[];
  endpoints: HostEndpoint[];
  schedule?: ScheduleTarget;
  /** acme_ca_file: the root the chain must verify up to, besides the system store */
  caFile: string;
  /** the roles' foreign_links (rendered) and the paths provision manages on the host: leftovers are looked for as plan does */
  foreignLinks?: { dir: string; uses: string }[];
  managedPaths?: string[];
}

// The files roles/letsencrypt/role.yml renders for each acme_schedule.
const schedules: Record<string, Omit<ScheduleTarget, 'kind'>> = {
  daily: { file: '/etc/cron.d/letsencrypt', cron: { file: '/etc/cron.d/letsencrypt', word: 'letsencrypt-renew' } },
  // run-parts starts cron.monthly from /etc/crontab (Debian: `52 6 1 * *`); with anacron it is later
  monthly: { file: '/etc/cron.monthly/letsencrypt', cron: { file: '/etc/crontab', word: '/etc/cron.monthly' } },
  systemd: { file: '/etc/systemd/system/letsencrypt-renew.timer', unit: 'letsencrypt-renew.timer' },
};

const text = (value: unknown, fallback: string) => (typeof value === 'string' && value !== '' ? value : fallback);

export function statusTargets(
  host: string,
  roleNames: string[],
  vars: Record<string, unknown>,
  renderers: Map<string, RoleRenderer>,
): { targets: StatusTargets; problems: Problem[] } {
  const certsDir = text(vars.acme_certs_dir, '/etc/ssl/letsencrypt').replace(/\/+$/, '');
  const stateDir = text(vars.acme_state_dir, defaultStateDir).replace(/\/+$/, '');
  const certificates = hostCertificates(vars).map((c) => ({ ...c, dir: `${certsDir}/${c.name}`, stateFile: `${stateDir}/${c.name}.json` }));
  const { endpoints, problems } = hostEndpoints(host, roleNames, vars, renderers);
  const kind = typeof vars.acme_schedule === 'string' ? vars.acme_schedule : undefined;
  const schedule = kind !== undefined && schedules[kind] ? { kind, ...schedules[kind] } : undefined;
  return { targets: { certificates, endpoints, schedule, caFile: text(vars.acme_ca_file, '') }, problems };
}
