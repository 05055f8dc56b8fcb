// The example e2e test of test/roles/e2e-lib.sh: one certificate issued by the rendered renewal script
// with the real acme-tiny through the ACME proxy stand-in in front of the real Pebble.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('the rendered renewal script issues through the ACME proxy in front of Pebble; the proxy sees the new-order and its behaviour reaches the script', () => {
  runCheck('bash', ['test/roles/e2e-proxy.sh']);
});
