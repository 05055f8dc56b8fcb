// Key rotation on the renewal script's side (test/roles/e2e-rotate.sh), with the real Pebble and acme-tiny.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('a waiting domain.key.next is issued for and swapped in with its certificate, the old pair archived; a failed issuance keeps the old pair; a cut-off swap is finished; a .next link is refused', () => {
  runCheck('bash', ['test/roles/e2e-rotate.sh']);
});
