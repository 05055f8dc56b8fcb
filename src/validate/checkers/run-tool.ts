// Running the programs the checkers ask: no shell, nothing on stdin, C locale (messages are parsed),
// each child in its own process group and tracked, so an interrupt reaches it.
import { track } from '../../connection/children.js';
import type { RequiredTool } from '../checker.js';
import { hasTool } from '../tools.js';

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** added to this process's environment */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/** The program a checker needs is not there: the message names the Debian package. */
export class ToolMissingError extends Error {
  constructor(readonly tool: RequiredTool) {
    super(`${tool.command} is not installed (Debian package ${tool.package})`);
  }
}

export async function runTool(tool: RequiredTool, args: string[], options: RunOptions = {}): Promise<ToolResult> {
  // Imported here, not at the top: roles load this module's checkers for their names, and execa's
  // import alone costs a run that checks nothing about 150 ms.
  const { execa } = await import('execa');
  const child = track(
    execa(tool.command, args, {
      cwd: options.cwd,
      env: { LC_ALL: 'C', LANG: 'C', ...options.env },
      extendEnv: true,
      stdin: 'ignore',
      reject: false,
      detached: true,
      timeout: options.timeoutMs ?? 60_000,
    }),
  );
  const result = await child;
  if (result.failed && result.exitCode === undefined) {
    if ((result as { code?: string }).code === 'ENOENT') throw new ToolMissingError(tool);
    throw new Error(`${tool.command} ${args.join(' ')}: ${result.shortMessage}`);
  }
  return { exitCode: result.exitCode ?? 1, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** Throws ToolMissingError when a command is neither executable at its absolute path nor on PATH. */
export async function requireTools(tools: RequiredTool[]): Promise<void> {
  const missing = tools.find((tool) => !hasTool(tool.command));
  if (missing) throw new ToolMissingError(missing);
}
