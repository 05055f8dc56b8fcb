// A throwaway copy of this machine's accounts for tests that create, change and race real accounts:
// each command runs in its own private mount namespace (`unshare --mount`) where a copy of /etc and
// empty /var/lib and /var/log directories are bind-mounted over the real ones, so useradd, usermod,
// getent, id and provision's record under /var/lib/provision see (and change) only the copies. The
// copies live in one temp directory across commands; the machine's own files are never touched.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PrivateHost {
  dir: string;
  /** runs ARGV inside the private namespace; `input` goes to its stdin */
  run(argv: string[], input?: string): { code: number; stdout: string; stderr: string };
  /** a line of the private /etc/passwd, or undefined */
  passwd(name: string): string | undefined;
  /** the private /var/lib/provision/accounts, or '' */
  record(): string;
  remove(): void;
}

const mounts = ['mount --bind "$D/etc" /etc', 'mount --bind "$D/var-lib" /var/lib', 'mount --bind "$D/var-log" /var/log'].join(' && ');

export function privateHost(): PrivateHost {
  const dir = mkdtempSync(join(tmpdir(), 'provision-accounts-'));
  chmodSync(dir, 0o755);
  // The copy holds /etc/shadow: only root may enter the directory that holds it.
  mkdirSync(join(dir, 'private'), { mode: 0o700 });
  // cp -a keeps owners and modes (shadow's group, ssl-cert's keys), which useradd and sudo check.
  const copied = spawnSync('cp', ['-a', '/etc', join(dir, 'private', 'etc')], { encoding: 'utf8' });
  if (copied.status !== 0) throw new Error(`cannot copy /etc: ${copied.stderr}`);
  for (const name of ['var-lib', 'var-log']) mkdirSync(join(dir, 'private', name));
  const base = join(dir, 'private');
  const run = (argv: string[], input?: string) => {
    const result = spawnSync('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', `${mounts} && exec "$@"`, 'private-host', ...argv], {
      encoding: 'utf8',
      input,
      env: { ...process.env, D: base, NO_COLOR: '1' },
    });
    return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
  };
  return {
    dir,
    run,
    passwd: (name) =>
      readFileSync(join(base, 'etc/passwd'), 'utf8')
        .split('\n')
        .find((line) => line.startsWith(`${name}:`)),
    record: () => {
      try {
        return readFileSync(join(base, 'var-lib/provision/accounts'), 'utf8');
      } catch {
        return '';
      }
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
