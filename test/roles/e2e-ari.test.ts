// ARI (RFC 9773) in the rendered renewal script (test/roles/e2e-ari.sh): the real acme-tiny and Pebble
// behind the ACME proxy stand-in answering renewalInfo per CertID, the real Apache serving the result.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('the renewal script renews the certificate whose ARI window has passed (served by Apache) and not the other, honours Retry-After through its state file, survives every broken ARI answer without renewing early while the one-third rule still renews, never asks about an expired certificate, records a failed renewal with the reason the CA gave, and survives a crashing helper', () => {
  runCheck('bash', ['test/roles/e2e-ari.sh']);
});
