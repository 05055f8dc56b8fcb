// A generated POSIX sh script must pass shellcheck: given on its standard input (no temp file), and a
// failure shows what shellcheck said.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export function assertShellcheckClean(script: string, what = 'the script'): void {
  const run = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
  assert.ok(!run.error, `shellcheck: ${run.error?.message}`);
  assert.equal(run.status, 0, `${what} fails shellcheck:\n${run.stdout}${run.stderr}`);
}
