// A certificate replaced by another one in the same apply (renamed: the same names under a new
// `name`; or its names moved to another certificate): the old one's site, key, CSR and certificate
// set stay, and stay served, until the new certificate is issued. Pure, like the rest of the plan.
//
// The apply script (src/apply/apply-script.ts) then runs the issuance handlers first, checks on the
// host that each awaited certificate is a CA-issued one of its key for its names, and only then puts
// the awaited certificate's own files and links in place (its site and the site's enabled link: the
// new site never sits beside the old one with its placeholder while a reload can happen) and removes
// the old certificate's paths. Otherwise everything of both stays as it was, with a warning.
import type { DesiredState, PlaceholderCertificateResource } from '../model/desired.js';
import type { Change } from './types.js';
import { isPending } from './types.js';
import type { Removal } from './removals.js';

/** A certificate this apply creates or changes, whose issuance removals may wait for. */
export interface AwaitedCertificate {
  certificate: string;
  /** the certificate set's directory (fullchain.pem), its key and its names, as the host checks them */
  dir: string;
  key: string;
  domains: string[];
  /** the handlers its CSR and placeholder notify: the issuance */
  handlers: string[];
  /** the removed certificates whose names it takes over */
  replaces: string[];
}

/**
 * The certificates the apply creates or changes: a CSR made (again) for new names or a new key, or a
 * certificate that is still the placeholder. One the CA has already issued, unchanged, waits for nothing.
 */
export function issuedInThisApply(desired: DesiredState, changes: Change[]): AwaitedCertificate[] {
  const out: AwaitedCertificate[] = [];
  for (const change of changes) {
    const csr = change.resource;
    // A key rotation's CSR.next (src/plan/rotation.ts) is not a certificate of its own: the renewal swaps it in.
    if (csr.kind !== 'csr' || csr.certificate === undefined || csr.next) continue;
    const placeholder = desired.resources.find(
      (r): r is PlaceholderCertificateResource => r.kind === 'placeholder_certificate' && r.certificate === csr.certificate,
    );
    if (!placeholder) continue;
    const placeholderChange = changes.find((c) => c.resource === placeholder);
    const remade = isPending(change) && change.rewrite;
    if (!remade && !placeholderChange?.firstIssuance && !(placeholderChange && isPending(placeholderChange))) continue;
    out.push({
      certificate: csr.certificate,
      dir: placeholder.dir,
      key: csr.key,
      domains: csr.domains.map((d) => d.toLowerCase()),
      handlers: [...new Set([...csr.notify, ...placeholder.notify])],
      replaces: [],
    });
  }
  return out;
}

/**
 * Marks the removals of every removed certificate whose names (its CSR's, as the probe read them) a
 * certificate of `candidates` takes over: they wait for its issuance. Returns the certificates waited
 * for, each with the removed ones it replaces.
 */
export function awaitIssuance(removals: Removal[], candidates: AwaitedCertificate[]): AwaitedCertificate[] {
  const removedNames = new Map<string, string[]>();
  for (const removal of removals) {
    const { kind, certificate } = removal.entry;
    if (kind === 'csr' && certificate !== undefined && removal.was.state === 'file' && removal.was.names) removedNames.set(certificate, removal.was.names);
  }
  const awaited: AwaitedCertificate[] = [];
  for (const [removed, names] of removedNames) {
    const by = candidates.filter((c) => c.certificate !== removed && c.domains.some((d) => names.includes(d)));
    if (by.length === 0) continue;
    for (const candidate of by) {
      let entry = awaited.find((a) => a.certificate === candidate.certificate);
      if (!entry) awaited.push((entry = { ...candidate, replaces: [] }));
      entry.replaces.push(removed);
    }
    const waitsFor = by.map((c) => c.certificate);
    for (const removal of removals) {
      if (removal.entry.certificate !== removed) continue;
      removal.awaits = waitsFor;
      removal.reasons.push(
        `waits for certificate ${waitsFor.join(', ')}, which takes over its names: removed once that is issued, else left in place and served`,
      );
    }
  }
  return awaited;
}

/** The changes put in place only once `certificate` is issued: its own files and links (its sites). */
export function waitsForIssuance(change: Change, awaited: AwaitedCertificate[]): string | undefined {
  const r = change.resource;
  if (!isPending(change) || (r.kind !== 'file' && r.kind !== 'symlink') || r.certificate === undefined) return undefined;
  return awaited.some((a) => a.certificate === r.certificate) ? r.certificate : undefined;
}
