// Calls one function of a plain shell file (the renewal script's second half, the probe's functions) as
// the installed script would run it, with the real dash: the file is loaded unchanged but for a final
// `main "$@"`, which is left out so that loading it runs nothing. `openssl` on PATH is either the real
// one or the replay of a recorded OpenSSL version (test/helpers/openssl-replay.sh, a stand-in).
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from './cli.js';

export const fixturesDir = join(projectRoot, 'test/fixtures/openssl');
export const fixtureCerts = join(fixturesDir, 'certificates');

export interface ShellResult {
  status: number;
  stdout: string;
  stderr: string;
}

export interface ShellFunctions {
  /** runs FUNCTION ARGS... in a fresh dash with the file loaded; `vars` are set after loading it (RENEW_BEFORE_DAYS, CERT_DIR, CERT_NAME...) */
  call(fn: string, args: string[], vars?: Record<string, string>): ShellResult;
  /** a scratch directory of this loader (LOG_FILE is its `renew.log`) */
  dir: string;
}

/** `replay`: the version directory under test/fixtures/openssl whose recorded outputs stand in for openssl; absent: the real openssl. */
export function loadShellFunctions(file: string, replay?: string): ShellFunctions {
  const dir = mkdtempSync(join(tmpdir(), 'shell-functions-'));
  const library = join(dir, 'library.sh');
  writeFileSync(library, readFileSync(join(projectRoot, file), 'utf8').replace(/^main "\$@"\n?$/m, ''));
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  if (replay) {
    const wrapper = join(projectRoot, 'test/helpers/openssl-replay.sh');
    chmodSync(wrapper, 0o755);
    symlinkSync(wrapper, join(bin, 'openssl'));
  }
  return {
    dir,
    call(fn, args, vars = {}) {
      // Set after loading: the file's own state assignments (CERT_NAME=) would clear them otherwise.
      const assignments = Object.keys(vars).map((name) => `${name}=$PRESET_${name}; `);
      const preset = Object.fromEntries(Object.entries(vars).map(([name, value]) => [`PRESET_${name}`, value]));
      const result = spawnSync('dash', ['-c', `. "$0"; ${assignments.join('')}"$@"`, library, fn, ...args], {
        encoding: 'utf8',
        env: {
          PATH: `${bin}:/usr/bin:/bin:/usr/sbin:/sbin`,
          LC_ALL: 'C',
          LOG_FILE: join(dir, 'renew.log'),
          ...(replay ? { OPENSSL_FIXTURES: join(fixturesDir, replay) } : {}),
          ...preset,
        },
      });
      return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
    },
  };
}
