// The role check scripts beside this file, run as part of the suite. Each prints one line per check
// and "N passed, M failed", and exits non-zero on any failure. They need root (private mount and
// network namespaces keep the machine's own /etc, firewall and network untouched) and the Debian
// packages .ci/run installs; a missing tool makes them fail, never skip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';

function runCheck(command: string, args: string[]): void {
  const run = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8', timeout: 300_000 });
  const output = `${run.stdout}${run.stderr}`;
  const failures = output.split('\n').filter((line) => line.startsWith('FAIL') || line.startsWith('not ok'));
  assert.equal(run.status, 0, `${args.join(' ')} failed:\n${failures.join('\n') || output.slice(-3000)}`);
  const summary = /^(\d+) passed, 0 failed$/m.exec(output);
  assert.ok(summary && Number(summary[1]) > 0, `no summary line in:\n${output.slice(-2000)}`);
}

test('every role renders for web, mail (Dovecot 2.3 and 2.4) and all-roles hosts; scripts shellcheck-clean; bad values rejected', () => {
  runCheck(process.execPath, ['--import', 'tsx', join('test/roles/render-check.mjs')]);
});

// One run, because the mail check needs a certificate the e2e test gets from Pebble (and it runs the
// mail check with it): issuance, renewal, refusals, failures, the served chain, postfix check, doveconf -n.
test('the rendered renewal script issues, renews and fails safely against a real Pebble CA with real acme-tiny; Apache serves the chain; postfix check and doveconf -n accept the settings for the issued certificate', () => {
  runCheck('bash', ['test/roles/e2e-renew.sh']);
});
