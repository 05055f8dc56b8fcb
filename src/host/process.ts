import { execa } from 'execa';
import type { ResultPromise } from 'execa';
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
function watchProcessGroup(child: ResultPromise, onProcessGroup: (pgid: number) => void): void {
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
  const child = track(execa(file, args, { input, reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' }, extendEnv: true, detached: true }), {
    signalFirst: !hooks.onTimeout,
  });
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
  const result = await child;
  clearTimeout(timer);
  if (stopping) {
    await stopping;
    throw deadline!.error();
  }
  if (result.failed && result.exitCode === undefined && !result.isTerminated) throw new UnreachableError(`cannot start ${file}: ${result.shortMessage}`);
  return {
    stdout: String(result.stdout),
    stderr: withoutMarker(String(result.stderr)),
    exitCode: result.exitCode ?? 128,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}
