// The role check scripts beside this file, run as part of the suite through runCheck
// (test/helpers/run-check.ts: one line per check, "N passed, M failed", non-zero exit on a failure).
import { test } from 'node:test';
import { join } from 'node:path';
import { runCheck } from '../helpers/run-check.js';

test('every role renders for web, mail (Dovecot 2.3 and 2.4) and all-roles hosts; scripts shellcheck-clean; bad values rejected', () => {
  runCheck(process.execPath, ['--import', 'tsx', join('test/roles/render-check.mjs')]);
});

// One run, because the mail check needs a certificate the e2e test gets from Pebble (and it runs the
// mail check with it): issuance, renewal, refusals, failures, the served chain, postfix check, doveconf -n.
test('the rendered renewal script issues, renews and fails safely against a real Pebble CA with real acme-tiny; Apache serves the chain; postfix check and doveconf -n accept the settings for the issued certificate', () => {
  runCheck('bash', ['test/roles/e2e-renew.sh']);
});
