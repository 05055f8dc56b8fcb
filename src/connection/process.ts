import { execa } from 'execa';
import { signalGroup, track } from './children.js';
import type { ScriptResult } from './types.js';
import { UnreachableError } from './types.js';

/** --timeout: the moment one host's run must be over. */
export class Deadline {
  private readonly end: number;
  constructor(readonly seconds: number) {
    this.end = Date.now() + seconds * 1000;
  }

  remainingMs(): number {
    return this.end - Date.now();
  }

  error(): UnreachableError {
    return new UnreachableError(`timed out after ${this.seconds}s`);
  }
}

/** A process that ended without an exit status (killed by a signal), described for the user. */
export interface ProcessResult extends ScriptResult {
  signal?: string;
}

// Time between SIGTERM (scripts remove their temp files) and SIGKILL for a process over time.
const killGraceMs = 2000;

/**
 * Runs `file args` in its own process group with `input` on stdin. When the deadline passes, the
 * whole group is stopped (and `onTimeout` runs) and the host is reported unreachable ("timed out after Ns").
 */
export async function runProcess(file: string, args: string[], input: string, deadline: Deadline | undefined, onTimeout?: () => Promise<void>): Promise<ProcessResult> {
  if (deadline && deadline.remainingMs() <= 0) throw deadline.error();
  const child = track(execa(file, args, { input, reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' }, extendEnv: true, detached: true }));
  let timedOut = false;
  const timer =
    deadline &&
    setTimeout(() => {
      timedOut = true;
      signalGroup(child.pid, 'SIGTERM');
      // ssh's control master holds the pipes of the client it served until the remote command ends.
      void onTimeout?.();
      setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs).unref();
    }, deadline.remainingMs());
  const result = await child;
  clearTimeout(timer);
  if (timedOut) throw deadline!.error();
  if (result.failed && result.exitCode === undefined && !result.isTerminated) throw new UnreachableError(`cannot start ${file}: ${result.shortMessage}`);
  return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 128, ...(result.signal ? { signal: result.signal } : {}) };
}
