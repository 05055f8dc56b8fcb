// Which hosts the rate-limit check (rate-limits.ts) looks at, without loading the Public Suffix List:
// a run whose production certificates cannot go over the limit never loads it.
import type { DesiredState } from '../model/desired.js';

/** A rendered host, as far as the check needs it. */
interface HostWork {
  host: { vars: Record<string, unknown> };
  desired: DesiredState;
}

export const letsEncryptProduction = 'https://acme-v02.api.letsencrypt.org/directory';
/** New certificates per registered domain per 7 days (letsencrypt.org/docs/rate-limits/). */
export const newCertificatesPerDomain = 50;

/** True when the host's renewal job talks to Let's Encrypt production (the role's default). */
export function isLetsEncryptProduction(vars: Record<string, unknown>): boolean {
  return typeof vars.acme_directory_url === 'string' && vars.acme_directory_url.replace(/\/+$/, '') === letsEncryptProduction;
}

/** More certificates on production hosts than the limit: only then can a registered domain go over it. */
export function couldExceedLimit(work: HostWork[]): boolean {
  let certificates = 0;
  for (const w of work)
    if (isLetsEncryptProduction(w.host.vars)) certificates += w.desired.resources.filter((r) => r.kind === 'placeholder_certificate').length;
  return certificates > newCertificatesPerDomain;
}
