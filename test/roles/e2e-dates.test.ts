// The renewal script's date decisions under an openssl whose -checkend always exits 0 (a stand-in for
// OpenSSL 3.6, test/helpers/openssl-checkend-always-0.sh), with the real Pebble and acme-tiny.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('due certificates are renewed and others not by their own dates, though -checkend exits 0; acme_renew_before falls back to a third; no subject works', () => {
  runCheck('bash', ['test/roles/e2e-dates.sh']);
});
