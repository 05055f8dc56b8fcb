// Key rotation (README "Rotating a key"): a certificate's key of another type than its key_type, or
// one asked to be rotated (--rotate-key NAME), gets a new key beside it, KEY.next, and a CSR of the
// same names made from it, CSR.next; the installed key, CSR and certificates stay as they are. The
// renewal script then obtains a certificate for CSR.next and swaps key and certificate together (the
// services read them only at a reload, so they never see a pair that does not match), archiving the
// old pair. Pure: the probe said what is there (shell/probe.sh probe_next).
import type { ActualState, Observed } from '../model/actual.js';
import type { CsrResource, DesiredState, PrivateKeyResource, Resource } from '../model/desired.js';
import { expectedSubject } from './plan-host.js';

export class RotateKeyError extends Error {}

/** The certificate names of the hosts' desired states, for checking --rotate-key NAME. */
export function checkRotateNames(names: string[], states: DesiredState[]): void {
  const known = new Set(states.flatMap((s) => s.resources.flatMap((r) => (r.kind === 'private_key' && r.certificate !== undefined ? [r.certificate] : []))));
  const unknown = [...new Set(names)].filter((n) => !known.has(n));
  if (unknown.length > 0)
    throw new RotateKeyError(
      `--rotate-key: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a certificate name' : 'are not certificate names'} of the hosts selected (acme_certificates: ${[...known].sort().join(', ') || 'none'})`,
    );
}

/**
 * The desired state with the next key and CSR of every certificate that rotates, appended (so the
 * script ids of the other resources stay those the probe used), and the actual state with what the
 * probe saw at their paths. A certificate rotates while its key is of another type than wanted, when
 * asked (`rotate`), or while a next key of the wanted type waits for its certificate (a rotation an
 * earlier run began): then the plan keeps it (and its record entries) and has nothing more to do. A
 * next key of another type than wanted is made anew. Nothing is done where the probe could not read
 * the key (not root) or did not look beside it.
 */
export function withRotations(desired: DesiredState, actual: ActualState, rotate: ReadonlySet<string>): { desired: DesiredState; actual: ActualState } {
  const added: Resource[] = [];
  const resources = new Map(actual.resources);
  for (const key of desired.resources) {
    if (key.kind !== 'private_key' || key.certificate === undefined) continue;
    const observed = actual.resources.get(key.id);
    // Only where the probe looked beside the key (a second probe of a few resources may not have).
    if (observed?.state !== 'private_key' || observed.keyType === undefined || observed.keyType === 'unknown' || observed.next === undefined) continue;
    const csr = desired.resources.find((r): r is CsrResource => r.kind === 'csr' && r.key === key.path);
    if (!csr) continue;
    const next = observed.next;
    const nextReady = next.state === 'private_key' && next.keyType === key.keyType;
    if (observed.keyType === key.keyType && !rotate.has(key.certificate) && !nextReady) continue;
    const nextKey: PrivateKeyResource = { ...key, id: `private_key:${key.path}.next`, path: `${key.path}.next`, next: true };
    const nextCsr: CsrResource = { ...csr, id: `csr:${csr.path}.next`, path: `${csr.path}.next`, key: nextKey.path, next: true };
    added.push(nextKey, nextCsr);
    // A next key of another type is made again: the plan sees it as missing (created, never shown).
    resources.set(
      nextKey.id,
      nextReady ? { state: 'private_key', mode: next.mode, owner: next.owner, group: next.group, keyType: next.keyType } : { state: 'missing' },
    );
    const csrObserved: Observed =
      nextReady && next.state === 'private_key' && next.csr !== undefined
        ? { state: 'csr', ...next.csr, keyMatches: next.csrMatches, san: next.san, subject: expectedSubject(csr) }
        : { state: 'missing' };
    resources.set(nextCsr.id, csrObserved);
  }
  if (added.length === 0) return { desired, actual };
  return { desired: { ...desired, resources: [...desired.resources, ...added] }, actual: { ...actual, resources } };
}
