import { connectionProblems } from '../connection/connect.js';
import type { ConnectOptions } from '../connection/types.js';
import { ExitCode, InputError } from '../errors.js';
import { loadProject } from '../project/load-project.js';
import { colorsFor } from '../report/colors.js';
import { hostLines, progressLine, recapLines } from '../report/human.js';
import { applyJsonReport } from '../report/json.js';
import { runHosts } from '../run/run-host.js';
import type { HostResult } from '../run/host-result.js';

export interface ApplyCommandOptions {
  inventory: string | readonly string[];
  check: boolean;
  diff: boolean;
  limit?: string;
  forks: number;
  extraVars: string[];
  root?: string;
  json: boolean;
  detailedExitcode: boolean;
  backup: boolean;
  /** --host-key-checking, --become, --become-user, --timeout */
  connection?: ConnectOptions;
}

export function exitCodeFor(results: HostResult[], detailedExitcode: boolean): number {
  if (results.some((r) => r.status === 'unreachable')) return ExitCode.hostUnreachable;
  if (results.some((r) => r.status === 'failed')) return ExitCode.hostFailed;
  if (detailedExitcode && results.some((r) => r.status === 'changed')) return ExitCode.changes;
  return ExitCode.ok;
}

/** `provision apply` (and `plan`, which is apply --check --diff). Returns the exit code. */
export async function applyCommand(options: ApplyCommandOptions): Promise<number> {
  const work = loadProject(options.inventory, { extraVars: options.extraVars, limit: options.limit, root: options.root });
  const problems = connectionProblems(work.map((w) => w.host));
  if (problems.length > 0) throw new InputError(problems);
  const c = colorsFor(process.stdout);
  const results = await runHosts(work, { check: options.check, backup: options.backup, forks: options.forks, connection: options.connection }, (result) => {
    // --json prints one document at the end, nothing before it.
    if (options.json) return;
    const lines = [...hostLines(result, { diff: options.diff, check: options.check }, c), progressLine(result, c)];
    process.stdout.write(`${lines.join('\n')}\n`);
  });
  if (options.json) process.stdout.write(`${JSON.stringify(applyJsonReport(results, options.check), null, 2)}\n`);
  else process.stdout.write(`${recapLines(results, { check: options.check }, c).join('\n')}\n`);
  return exitCodeFor(results, options.detailedExitcode);
}
