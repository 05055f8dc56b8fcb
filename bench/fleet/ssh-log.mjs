// Counting round trips the same way for every tool: `ssh`, `sftp` and `scp` wrappers first on PATH
// log each invocation, then exec the real program. Each invocation over a multiplexed connection is
// one session on the host (channel open, command, exit status): one round trip at least. `ssh -O`
// (a question to the local master, nothing sent to the host) is counted apart.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes the wrappers into `binDir`; returns a counter reading the log they append to. */
export function installSshWrappers(binDir, logFile) {
  mkdirSync(binDir, { recursive: true });
  for (const program of ['ssh', 'sftp', 'scp']) {
    const wrapper = join(binDir, program);
    writeFileSync(wrapper, `#!/bin/sh\nprintf '%s %s\\n' ${program} "$*" >> '${logFile}'\nexec /usr/bin/${program} "$@"\n`);
    chmodSync(wrapper, 0o755);
  }
  writeFileSync(logFile, '');
  return new SshLog(logFile);
}

class SshLog {
  constructor(file) {
    this.file = file;
    this.seen = 0;
  }

  /** Invocations since the previous call: sessions per host port, and local master queries. */
  take() {
    const lines = existsSync(this.file) ? readFileSync(this.file, 'utf8').split('\n').filter(Boolean) : [];
    const fresh = lines.slice(this.seen);
    this.seen = lines.length;
    const perPort = new Map();
    let control = 0;
    for (const line of fresh) {
      if (/ -O /.test(` ${line} `)) {
        control++;
        continue;
      }
      const port = /(?:-p ?|Port=)(\d+)/.exec(line)?.[1] ?? '?';
      perPort.set(port, (perPort.get(port) ?? 0) + 1);
    }
    const sessions = [...perPort.values()].reduce((a, b) => a + b, 0);
    return { sessions, control, perPort };
  }
}
