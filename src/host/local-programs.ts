// The programs provision starts on this machine besides the scripts it sends to hosts: inventory
// scripts, vault password scripts (load) and the tools `validate` checks rendered files with. Every
// process is started here or by a connection, so no other stage can start one (test/architecture).
import { execFileSync, spawnSync } from 'node:child_process';
import type { ExecFileSyncOptions, SpawnSyncOptions, SpawnSyncReturns } from 'node:child_process';
import { track } from './children.js';

/** Runs a program to its end and returns what it printed and how it ended (never throws for its failure). */
export function runProgramSync(file: string, args: string[], options: SpawnSyncOptions): SpawnSyncReturns<Buffer> {
  return spawnSync(file, args, options) as SpawnSyncReturns<Buffer>;
}

/** Runs a program to its end and returns its stdout; throws (with `status`) when it fails. */
export function runProgramOrThrow(file: string, args: string[], options: ExecFileSyncOptions): Buffer {
  return execFileSync(file, args, options) as Buffer;
}

export interface ToolRun {
  /** undefined when the program never ran (`code` says why: ENOENT when it is not there) */
  exitCode?: number;
  failed: boolean;
  code?: string;
  shortMessage?: string;
  stdout: string;
  stderr: string;
}

/**
 * A checking tool: no shell, nothing on stdin, each child in its own process group and tracked, so an
 * interrupt reaches it. execa is imported on first use: its import alone costs a run that checks
 * nothing about 150 ms.
 */
export async function runTool(command: string, args: string[], options: { cwd?: string; env: Record<string, string>; timeoutMs: number }): Promise<ToolRun> {
  const { execa } = await import('execa');
  const result = await track(
    execa(command, args, { cwd: options.cwd, env: options.env, extendEnv: true, stdin: 'ignore', reject: false, detached: true, timeout: options.timeoutMs }),
  );
  return {
    exitCode: result.exitCode,
    failed: result.failed,
    code: (result as { code?: string }).code,
    shortMessage: result.shortMessage,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}
