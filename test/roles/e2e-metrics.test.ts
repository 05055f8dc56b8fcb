// The renewal script's metrics file for node_exporter's textfile collector (test/roles/e2e-metrics.sh):
// the real acme-tiny, Pebble and Apache; promtool checks the file.
import { test } from 'node:test';
import { runCheck } from '../helpers/run-check.js';

test('the renewal script writes the certificate metrics promtool accepts, with the installed notAfter, served_matches_installed 1 while Apache serves the installed certificate and 0 when it serves another, also after a failed run, never with acme_metrics_dir "", and not into a directory others can write', () => {
  runCheck('bash', ['test/roles/e2e-metrics.sh']);
});
