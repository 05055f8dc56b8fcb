// The judgement of one certificate, on observations as the status script reports them: relative to
// the certificate's own lifetime, so a 6-day and a 90-day certificate at the same share are judged
// alike, and the renewal state is read tolerantly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ObservedCertificate } from '../../src/host/protocol/parse-status.js';
import { judgeCertificate, judgeSchedule } from '../../src/status/health.js';
import { parseRenewalState } from '../../src/status/renewal-state.js';

const now = 1_800_000_000;
const hour = 3600;
const day = 24 * hour;
const target = { name: 'a.test', domains: ['a.test'], dir: '/etc/ssl/letsencrypt/a.test', stateFile: '/var/lib/letsencrypt-renew/a.test.json' };
const schedule = judgeSchedule({ kind: 'daily', file: '/etc/cron.d/letsencrypt' }, { kind: 'daily', present: true });

function observed(lifetime: number, shareLeft: number, extra: Partial<ObservedCertificate> = {}): ObservedCertificate {
  const notAfter = now + Math.round(lifetime * shareLeft);
  return {
    files: { 'domain.key': '1', 'signed.crt': '1', 'chain.pem': '1', 'fullchain.pem': '1' },
    readable: true,
    serial: '0A',
    notBefore: notAfter - lifetime,
    notAfter,
    issuer: 'CN=R1',
    subject: '',
    names: ['a.test'],
    keyType: 'ec256',
    keyMatch: 'yes',
    oneSet: true,
    chainIssued: true,
    trusted: true,
    state: null,
    ...extra,
  };
}

const health = (lifetime: number, share: number, extra?: Partial<ObservedCertificate>) =>
  judgeCertificate(target, observed(lifetime, share, extra), [], schedule, now).health;

test('a 6-day and a 90-day certificate at the same share of their lifetime are judged alike', () => {
  for (const lifetime of [160 * hour, 45 * day, 90 * day]) {
    assert.equal(health(lifetime, 0.9), 'ok');
    assert.equal(health(lifetime, 0.3), 'renewal due');
    assert.equal(health(lifetime, 0.12), 'warning');
    assert.equal(health(lifetime, 0.05), 'critical');
    assert.equal(health(lifetime, -0.01), 'critical');
  }
  // Fixed days would page for a healthy 6-day certificate (3 days left = half its lifetime): not here.
  assert.equal(health(6 * day, 0.5), 'ok');
});

test('the renewal state: a failed attempt warns with its error; its planned moment makes it due; a bad file is said, never fatal', () => {
  const state = (value: unknown) => ({ state: JSON.stringify(value) });
  const failed = judgeCertificate(
    target,
    observed(90 * day, 0.5, state({ version: 1, lastAttempt: { at: now - 60, outcome: 'failed', error: 'acme-tiny: KeyError' }, consecutiveFailures: 2 })),
    [],
    schedule,
    now,
  );
  assert.equal(failed.health, 'warning');
  assert.match(failed.reasons[0]!, /the last renewal failed at .* \(2 in a row\): acme-tiny: KeyError$/);
  assert.equal(judgeCertificate(target, observed(90 * day, 0.5, state({ version: 1, plannedRenewalAt: now - 1 })), [], schedule, now).health, 'renewal due');
  assert.equal(
    judgeCertificate(target, observed(90 * day, 0.5, state({ version: 1, ari: { window: { start: now - 10, end: now + 10 } } })), [], schedule, now).health,
    'renewal due',
  );
  const bad = judgeCertificate(target, observed(90 * day, 0.5, { state: '{not json' }), [], schedule, now);
  assert.equal(bad.health, 'warning');
  assert.match(bad.reasons.join(), /the renewal state cannot be read: not JSON/);
  assert.deepEqual(parseRenewalState(JSON.stringify({ version: 1, plannedRenewalAt: 'soon', consecutiveFailures: 1 })), { consecutiveFailures: 1 });
  // A fresh state's plannedRenewalAt is 0 (not planned yet): never "due since 1970".
  assert.equal(judgeCertificate(target, observed(90 * day, 0.5, state({ version: 1, plannedRenewalAt: 0 })), [], schedule, now).health, 'ok');
  assert.equal(parseRenewalState(JSON.stringify({ version: 2 })).unreadable, 'format version 2, this provision reads 1');
});

test('served, key, chain, placeholder and schedule', () => {
  const endpoint = { role: 'web', service: 'web', port: 443, starttls: 'none' as const, certificate: 'a.test', serverName: 'a.test' };
  const old = { serial: '09', notAfter: now + day };
  const served = judgeCertificate(target, observed(90 * day, 0.9), [{ endpoint, observed: old }], schedule, now);
  assert.equal(served.health, 'critical');
  assert.match(served.reasons[0]!, /^web on port 443 for a\.test serves an older certificate \(serial 09/);
  const none = judgeCertificate(target, observed(90 * day, 0.9), [{ endpoint, observed: { error: 'connect: Connection refused' } }], schedule, now);
  assert.match(none.reasons[0]!, /presents no certificate: connect: Connection refused/);
  assert.equal(health(90 * day, 0.9, { keyMatch: 'no' }), 'critical');
  assert.equal(health(90 * day, 0.9, { chainIssued: false }), 'critical');
  assert.equal(health(90 * day, 0.9, { trusted: false }), 'warning');
  // The placeholder is due for its first issuance at first, critical once the issuance should have happened.
  assert.equal(health(90 * day, 1, { subject: 'CN=a.test', issuer: 'CN=a.test', chainIssued: false }), 'renewal due');
  assert.equal(health(90 * day, 0.99, { subject: 'CN=a.test', issuer: 'CN=a.test', chainIssued: false }), 'critical');
  const noTimer = judgeSchedule(
    { kind: 'systemd', file: '/etc/systemd/system/letsencrypt-renew.timer', unit: 'letsencrypt-renew.timer' },
    { kind: 'systemd', present: true, enabled: 'disabled', active: 'inactive' },
  );
  const unscheduled = judgeCertificate(target, observed(90 * day, 0.9), [], noTimer, now);
  assert.equal(unscheduled.health, 'warning');
  assert.match(unscheduled.reasons[0]!, /the renewal timer letsencrypt-renew\.timer is disabled and inactive/);
  assert.equal(judgeCertificate(target, undefined, [], schedule, now).health, 'critical');
});
