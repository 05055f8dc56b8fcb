// reload_service (templates/reload-service.sh), the one reload mechanism: the apply script and the
// rendered renewal script carry the same text, and on a systemd host it never reloads a stopped
// service. systemd cannot run here (it is not PID 1), so the systemd branch is driven in a private
// mount namespace with /run/systemd/system present and a stand-in `systemctl` first on PATH that
// answers is-active and reload from its arguments and records each call.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reloadServiceLibrary } from '../../src/host/script.js';
import { projectRoot } from '../helpers/cli.js';

test('the apply script and the rendered renewal scripts carry the same reload_service', () => {
  const library = reloadServiceLibrary();
  assert.match(library, /^reload_service\(\) \{$/m);
  for (const host of ['web1.example.test', 'mail1.example.test']) {
    const renew = readFileSync(join(projectRoot, 'test/golden/example', host, 'usr/local/sbin/letsencrypt-renew'), 'utf8');
    assert.ok(renew.includes(library), `${host}'s renewal script includes templates/reload-service.sh verbatim`);
  }
});

test('with systemd: a stopped unit is status 3 and not reloaded; a failed reload is an error with its message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'provision-reload-'));
  try {
    const calls = join(dir, 'calls');
    writeFileSync(
      join(dir, 'systemctl'),
      [
        '#!/bin/sh',
        '# Stand-in for systemctl (see the test file header).',
        `echo "$*" >> '${calls}'`,
        'case "$1" in',
        'is-active) if [ "$3" = stopped ]; then exit 3; fi; exit 0 ;;',
        'reload) if [ "$2" = broken ]; then echo "Job for broken.service failed because the control process exited with error code." >&2; exit 1; fi; exit 0 ;;',
        'esac',
        'exit 1',
        '',
      ].join('\n'),
    );
    chmodSync(join(dir, 'systemctl'), 0o755);
    const run = (unit: string) =>
      spawnSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          '--',
          'sh',
          '-c',
          'mount -t tmpfs tmpfs /run && mkdir -p /run/systemd/system && PATH="$1:$PATH" && . "$2" && reload_service "$3"',
          'reload',
          dir,
          join(projectRoot, 'templates/reload-service.sh'),
          unit,
        ],
        { encoding: 'utf8' },
      );
    const stopped = run('stopped');
    assert.equal(stopped.status, 3);
    const broken = run('broken');
    assert.equal(broken.status, 1);
    assert.match(broken.stderr, /Job for broken\.service failed/);
    assert.equal(run('postfix').status, 0);
    assert.deepEqual(readFileSync(calls, 'utf8').trim().split('\n'), [
      'is-active --quiet stopped',
      'is-active --quiet broken',
      'reload broken',
      'is-active --quiet postfix',
      'reload postfix',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
