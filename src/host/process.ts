import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { processGroupMarker } from '../host/protocol/answers.js';
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

export interface ProcessHooks {
  /** runs when the deadline passes, before the process group is stopped (and not on an interrupt: the clean-up registered with onStop does that) */
  onTimeout?: () => Promise<void>;
  /** receives the script's own process group on the host, as soon as the script announces it */
  onProcessGroup?: (pgid: number) => void;
}

const markerLine = new RegExp(`^${processGroupMarker} (\\d+)\\n`, 'm');

function withoutMarker(stderr: string): string {
  return stderr.replace(markerLine, '');
}

/** Reads the `@pgid N` line a wrapped script writes first on stderr (src/host/script.ts). */
function watchProcessGroup(child: ChildProcess, onProcessGroup: (pgid: number) => void): void {
  let seen = '';
  const listener = (chunk: Buffer) => {
    seen += chunk.toString('latin1');
    const match = markerLine.exec(seen);
    if (match) {
      onProcessGroup(Number(match[1]));
      child.stderr?.off('data', listener);
    } else if (seen.length > 4096) child.stderr?.off('data', listener);
  };
  child.stderr?.on('data', listener);
}

// Time between SIGTERM (scripts remove their temp files) and SIGKILL for a process over time.
const killGraceMs = 2000;

interface Ended {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/**
 * `file args` in its own process group, `input` on its stdin, stdout and stderr read whole; it ends
 * when the process has exited and both are closed. Node's own spawn, not execa: importing execa is a
 * tenth of a second of every run's start (what `status` on a small fleet pays for most), and this is
 * all it did here. Rejects only when the program cannot be started.
 */
export function spawnProcess(
  file: string,
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv } = {},
): { child: ChildProcess; ended: Promise<Ended> } {
  const child = spawn(file, args, {
    detached: true,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
  const ended = new Promise<Ended>((resolve, reject) => {
    // Only a program that could not be started rejects; a later error (a failed kill) changes nothing.
    child.on('error', (error) => (child.pid === undefined ? reject(error) : undefined));
    child.once('close', (exitCode, signal) =>
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), exitCode, signal }),
    );
  });
  if (child.stdin) {
    // A program that exits without reading all of it (EPIPE) is not an error here: its exit status says.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input);
  }
  return { child, ended };
}

/**
 * Runs `file args` in its own process group with `input` on stdin. When the deadline passes, the
 * whole group is stopped (and `onTimeout` runs) and the host is reported unreachable ("timed out after Ns").
 */
export async function runProcess(
  file: string,
  args: string[],
  input: string,
  deadline: Deadline | undefined,
  hooks: ProcessHooks = {},
): Promise<ProcessResult> {
  if (deadline && deadline.remainingMs() <= 0) throw deadline.error();
  const { child, ended } = spawnProcess(file, args, { input, env: { ...process.env, LC_ALL: 'C' } });
  const settled = ended.then(
    (result) => ({ result }),
    (error: Error) => ({ error }),
  );
  track(Object.assign(settled, { pid: child.pid, kill: (signal?: NodeJS.Signals) => child.kill(signal) }), { signalFirst: !hooks.onTimeout });
  if (hooks.onProcessGroup) watchProcessGroup(child, hooks.onProcessGroup);
  const { onTimeout } = hooks;
  let stopping: Promise<void> | undefined;
  const timer =
    deadline &&
    setTimeout(() => {
      stopping = (async () => {
        // ssh: the script on the host is stopped first, while the client still carries its output.
        await onTimeout?.().catch(() => undefined);
        signalGroup(child.pid, 'SIGTERM');
        setTimeout(() => signalGroup(child.pid, 'SIGKILL'), killGraceMs).unref();
      })();
    }, deadline.remainingMs());
  const outcome = await settled;
  clearTimeout(timer);
  if (stopping) {
    await stopping;
    throw deadline!.error();
  }
  if ('error' in outcome) throw new UnreachableError(`cannot start ${file}: ${outcome.error.message}`);
  const { result } = outcome;
  return {
    stdout: result.stdout,
    stderr: withoutMarker(result.stderr),
    exitCode: result.exitCode ?? 128,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}
