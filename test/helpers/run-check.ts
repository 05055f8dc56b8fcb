// Runs one role check script (test/roles/*.sh, *.mjs) as a test: each prints one line per check
// ("ok ..." / "FAIL ...") and "N passed, M failed", and exits non-zero on any failure. The assertion
// message carries the failed checks (or the output's end), so a failing suite says which check failed.
// The e2e scripts need root (private mount and network namespaces keep the machine's own /etc,
// firewall and network untouched) and the Debian packages .ci/run installs; a missing tool makes them
// fail, never skip. Each e2e script has a small test file of its own (test/roles/e2e-NAME.test.ts):
// node runs test files in parallel, the tests inside one file one after the other. The default
// timeout is generous: e2e-renew.sh, about 180 s alone, took 240 s on a loaded machine (load 13, two cores).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { projectRoot } from './cli.js';

export function runCheck(command: string, args: string[], timeoutMs = 600_000): void {
  const run = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8', timeout: timeoutMs });
  const output = `${run.stdout}${run.stderr}`;
  // spawnSync's timeout sends SIGTERM; the e2e harness then stops what it started and exits.
  assert.ok(!run.error, `${args.join(' ')}: ${run.error?.message} (timeout ${timeoutMs / 1000} s)\n${output.slice(-3000)}`);
  const failures = output.split('\n').filter((line) => line.startsWith('FAIL') || line.startsWith('not ok'));
  assert.equal(run.status, 0, `${args.join(' ')} failed:\n${failures.join('\n') || output.slice(-3000)}`);
  const summary = /^(\d+) passed, 0 failed$/m.exec(output);
  assert.ok(summary && Number(summary[1]) > 0, `no summary line in:\n${output.slice(-2000)}`);
}
