// The renewal script under a CA that refuses new orders (429 rateLimited, 503 with Retry-After), through
// the ACME proxy stand-in in front of the real Pebble, with the real acme-tiny: test/roles/e2e-ratelimit.sh.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('the renewal script does not retry a rate-limited new-order, retries a 503 exactly acme_retries times, makes one attempt with --once, says why, and leaves the installed certificate alone', () => {
  runCheck('bash', ['test/roles/e2e-ratelimit.sh']);
});
