// The renewal script's plain shell as it is in the repository: the real shellcheck (with the optional
// checks render-check.mjs runs on the rendered script), dash and bash syntax checks, and the installed
// script is exactly the rendered header, the shared reload_service and this file, byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../helpers/cli.js';

const plainFiles = ['roles/letsencrypt/files/renew.sh', 'templates/reload-service.sh'];

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: projectRoot, encoding: 'utf8' });
  assert.notEqual(result.error?.message.includes('ENOENT'), true, `${command} is not installed (.ci/run installs it)`);
  return `${result.stdout}${result.stderr}${result.status === 0 ? '' : `(exit ${result.status})`}`;
}

for (const file of plainFiles) {
  test(`${file} is clean for shellcheck as it is, the optional checks included`, () => {
    assert.equal(run('shellcheck', ['-s', 'sh', file]), '');
    assert.equal(run('shellcheck', ['-s', 'sh', '-o', 'all', '-e', 'SC2310,SC2250,SC2248,SC2312', file]), '');
    assert.equal(run('dash', ['-n', file]), '');
    assert.equal(run('bash', ['--posix', '-n', file]), '');
  });
}

test('the plain renewal shell has no template syntax and no shebang: it is the verbatim second half of the script', () => {
  const plain = readFileSync(join(projectRoot, 'roles/letsencrypt/files/renew.sh'), 'utf8');
  assert.doesNotMatch(plain, /^#!/);
  assert.match(plain, /^main "\$@"$/m);
  const library = readFileSync(join(projectRoot, 'templates/reload-service.sh'), 'utf8');
  for (const host of ['web1.example.test', 'mail1.example.test']) {
    const installed = readFileSync(join(projectRoot, 'test/golden/example', host, 'usr/local/sbin/letsencrypt-renew'), 'utf8');
    assert.ok(installed.endsWith(`\n${library}${plain}`), `${host}: the script ends with reload-service.sh and files/renew.sh verbatim`);
    const header = installed.slice(0, installed.length - library.length - plain.length);
    // The header holds settings and the certificate lines only: no function but renew_all.
    assert.deepEqual(header.match(/^[a-z_]+\(\) \{$/gm), ['renew_all() {']);
  }
});
