import { execa } from 'execa';
import { track } from './children.js';
import type { Connection, ScriptResult } from './types.js';
import { UnreachableError } from './types.js';

/** `ansible_connection: local`: the same scripts, run by the local /bin/sh. */
export class LocalConnection implements Connection {
  async run(script: string): Promise<ScriptResult> {
    const child = track(execa('/bin/sh', ['-s'], { input: script, reject: false, stripFinalNewline: false, env: { LC_ALL: 'C' }, extendEnv: true, detached: true }));
    const result = await child;
    if (result.failed && result.exitCode === undefined && !result.isTerminated) throw new UnreachableError(`cannot start /bin/sh: ${result.shortMessage}`);
    return { stdout: String(result.stdout), stderr: String(result.stderr), exitCode: result.exitCode ?? 128 };
  }

  async close(): Promise<void> {}
}
