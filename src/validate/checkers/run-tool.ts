// Running the programs the checkers ask (src/host/local-programs.ts starts them), in the C
// locale: their messages are parsed.
import { runTool as runLocalTool } from '../../host/local-programs.js';
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
  const result = await runLocalTool(tool.command, args, {
    cwd: options.cwd,
    env: { LC_ALL: 'C', LANG: 'C', ...options.env },
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  if (result.failed && result.exitCode === undefined) {
    if (result.code === 'ENOENT') throw new ToolMissingError(tool);
    throw new Error(`${tool.command} ${args.join(' ')}: ${result.shortMessage}`);
  }
  return { exitCode: result.exitCode ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Throws ToolMissingError when a command is neither executable at its absolute path nor on PATH. */
export async function requireTools(tools: RequiredTool[]): Promise<void> {
  const missing = tools.find((tool) => !hasTool(tool.command));
  if (missing) throw new ToolMissingError(missing);
}
