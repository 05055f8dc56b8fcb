import { connectionProblems } from '../../resolve/connection-settings.js';
import type { ConnectOptions } from '../../host/types.js';
import { ExitCode, InputError, RateLimitError } from '../../model/errors.js';
import { couldExceedLimit } from '../../plan/letsencrypt-production.js';
import { checkRotateNames, RotateKeyError } from '../../plan/rotation.js';
import { noteHostWarnings, noteWarnings } from '../../model/warnings.js';
import { prepareProjectOrThrow, runHosts, statedHostWarnings } from '../../pipeline/pipeline.js';
import { hostLines, progressLine, recapLines } from '../report/human.js';
import { applyJsonReport } from '../report/json.js';
import type { HostResult } from '../../apply/host-result.js';
import type { Output } from '../report/output.js';

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
  /** --ignore-rate-limits: apply even when Let's Encrypt would refuse some new certificates */
  ignoreRateLimits?: boolean;
  /** --rotate-key NAME: certificates whose key is rotated (src/plan/rotation.ts) */
  rotateKeys?: string[];
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
export async function applyCommand(options: ApplyCommandOptions, out: Output): Promise<number> {
  const project = prepareProjectOrThrow(options.inventory, { extraVars: options.extraVars, limit: options.limit, root: options.root });
  const problems = connectionProblems(project.hosts.map((w) => w.host));
  if (problems.length > 0) throw new InputError(problems);
  const rotateKeys = options.rotateKeys ?? [];
  try {
    checkRotateNames(
      rotateKeys,
      project.hosts.map((w) => w.desired),
    );
  } catch (error) {
    if (error instanceof RotateKeyError) throw new InputError([{ message: error.message }]);
    throw error;
  }
  // The check (and the Public Suffix List it loads) only when some registered domain could go over.
  const rateLimits = couldExceedLimit(project.hosts) ? await import('../../pipeline/rate-limit-check.js') : undefined;
  if (rateLimits && !options.check && !options.ignoreRateLimits) {
    const { batchAdvice, describeExcess, excessBeforeApply } = rateLimits;
    const excess = await excessBeforeApply(project, { forks: options.forks, connection: options.connection });
    if (excess.length > 0)
      throw new RateLimitError(`Let's Encrypt rate limit: nothing was applied\n${excess.map((e) => `  ${describeExcess(e)}`).join('\n')}\n  ${batchAdvice}`);
  }
  const c = out.colors;
  const results = await runHosts(
    project,
    { check: options.check, backup: options.backup, forks: options.forks, connection: options.connection, rotateKeys },
    (result) => {
      // --json prints one document at the end, nothing before it.
      if (options.json) return;
      const lines = [...hostLines(result, { diff: options.diff, check: options.check }, c), progressLine(result, c)];
      out.write(`${lines.join('\n')}\n`);
    },
  );
  // What the roles warn about, with each host's own versions where it was looked at (a setting the host
  // cannot honour), else as stated; once for all the hosts it applies to.
  noteHostWarnings(results.flatMap((result) => result.warnings ?? statedHostWarnings(project.problems, result.name)));
  const excess = rateLimits?.excessOfResults(project.hosts, results) ?? [];
  const advice = options.ignoreRateLimits && !options.check ? 'applied anyway (--ignore-rate-limits)' : rateLimits?.batchAdvice;
  noteWarnings(excess.map((e) => ({ message: `Let's Encrypt rate limit: ${rateLimits!.describeExcess(e)}; ${advice}` })));
  if (options.json)
    out.write(`${JSON.stringify({ ...applyJsonReport(results, options.check), ...(excess.length > 0 ? { rateLimits: excess } : {}) }, null, 2)}\n`);
  else out.write(`${recapLines(results, { check: options.check }, c).join('\n')}\n`);
  return exitCodeFor(results, options.detailedExitcode);
}
