// Let's Encrypt's limit on NEW certificates per registered domain, checked before a rollout asks for
// more than the CA will issue. Source (see also shared/docs/ca-2026.md, "Rate limits that bite a fleet
// at first rollout"): letsencrypt.org/docs/rate-limits/ (2026-08): "New Certificates per Registered
// Domain": 50 per 7 days, across all accounts, refilled 1 per 202 minutes; a renewal (the same exact set
// of names as an earlier certificate) is exempt; a certificate with names under several registered
// domains counts against each. The registered domain is the name one label below a public suffix of
// the Public Suffix List, private section included (github.io users each have their own limit).
// Only Let's Encrypt production is checked: staging's limits are far higher
// (letsencrypt.org/docs/staging-environment/), other CAs have their own.
// Pure: no I/O; the caller gives what the hosts' plans say.
import { getDomain } from 'tldts';
import type { Plan } from './types.js';

import { newCertificatesPerDomain } from './letsencrypt-production.js';

export { isLetsEncryptProduction, letsEncryptProduction, newCertificatesPerDomain } from './letsencrypt-production.js';

/** A certificate this run would have the CA issue for a name set it has not issued before. */
export interface NewCertificate {
  host: string;
  /** the certificate's directory on the host */
  dir: string;
  domains: string[];
}

export interface RateLimitExcess {
  /** the registered domain (eTLD+1) */
  domain: string;
  /** new certificates this run would request under it */
  count: number;
  limit: number;
  hosts: string[];
}

/**
 * The certificates a host's plan leaves to a first issuance: the fullchain is missing or still the
 * self-signed placeholder (the plan marks those `firstIssuance`), or the CSR's names change (a new
 * name set is a new certificate, not a renewal).
 */
export function newCertificates(plan: Plan): NewCertificate[] {
  const found = new Map<string, NewCertificate>();
  for (const change of plan.changes) {
    const resource = change.resource;
    if (resource.kind === 'placeholder_certificate' && change.firstIssuance)
      found.set(resource.key, { host: plan.host, dir: resource.dir, domains: resource.domains });
  }
  for (const change of plan.changes) {
    const resource = change.resource;
    if (resource.kind !== 'csr' || found.has(resource.key) || !change.reasons.some((r) => r.startsWith('names '))) continue;
    found.set(resource.key, { host: plan.host, dir: resource.path.replace(/\/[^/]*$/, ''), domains: resource.domains });
  }
  return [...found.values()];
}

/** The registered domain of a DNS name, or the name itself when the list knows none (an IP address). */
export function registeredDomain(name: string): string {
  const bare = name.replace(/^\*\./, '').toLowerCase();
  return getDomain(bare, { allowPrivateDomains: true }) ?? bare;
}

/** Registered domains over the limit, largest count first. */
export function overLimit(certificates: NewCertificate[], limit = newCertificatesPerDomain): RateLimitExcess[] {
  const byDomain = new Map<string, { count: number; hosts: Set<string> }>();
  for (const certificate of certificates) {
    for (const domain of new Set(certificate.domains.map(registeredDomain))) {
      const entry = byDomain.get(domain) ?? { count: 0, hosts: new Set<string>() };
      entry.count++;
      entry.hosts.add(certificate.host);
      byDomain.set(domain, entry);
    }
  }
  return [...byDomain]
    .filter(([, entry]) => entry.count > limit)
    .map(([domain, entry]) => ({ domain, count: entry.count, limit, hosts: [...entry.hosts].sort() }))
    .sort((a, b) => b.count - a.count || a.domain.localeCompare(b.domain));
}

/** The most certificates per registered domain the hosts could need (every certificate new). */
export function mostPossible(certificates: { host: string; domains: string[] }[]): number {
  const counts = new Map<string, number>();
  for (const certificate of certificates)
    for (const domain of new Set(certificate.domains.map(registeredDomain))) counts.set(domain, (counts.get(domain) ?? 0) + 1);
  return Math.max(0, ...counts.values());
}

export function describeExcess(excess: RateLimitExcess): string {
  return `${excess.domain}: this run would ask Let's Encrypt production for ${excess.count} new certificates under it (${excess.hosts.length} host${excess.hosts.length === 1 ? '' : 's'}), over its limit of ${excess.limit} new certificates per registered domain per 7 days (renewals are exempt; certificates issued in the last 7 days count too); the CA refuses the rest for days`;
}

export const batchAdvice = `apply in batches of at most ${newCertificatesPerDomain} new certificates per registered domain with --limit (e.g. --limit 'GROUP[0:${newCertificatesPerDomain - 1}]'; the limit refills by 1 every 202 minutes), or pass --ignore-rate-limits to go ahead`;
