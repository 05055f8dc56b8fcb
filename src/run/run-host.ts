import { applyScript, verifyScript } from '../apply/apply-script.js';
import type { ApplyReport } from '../host/protocol/parse-apply.js';
import { targetChecksFor } from '../validate/target-checks.js';
import { maskSecrets } from '../vars/mask-secrets.js';
import { parseApply } from '../host/protocol/parse-apply.js';
import { Connector } from '../connection/connect.js';
import { lastLines } from '../connection/last-lines.js';
import type { ConnectOptions } from '../connection/types.js';
import { ConnectionError } from '../connection/types.js';
import { planHost } from '../plan/plan-host.js';
import { hasWork } from '../plan/types.js';
import { ProbeOutputError } from '../host/protocol/parse-probe.js';
import { lookAtHost } from '../facts/look-at-host.js';
import type { HostWork } from '../project/load-project.js';
import type { HostResult } from './host-result.js';

export interface RunOptions {
  check: boolean;
  backup: boolean;
  connection?: ConnectOptions;
}

/** probe -> plan -> (apply): one round trip to look, one to change, none when nothing differs. */
export async function runHost(work: HostWork, options: RunOptions, connector: Connector): Promise<HostResult> {
  const { host } = work;
  const result: HostResult = { name: host.name, status: 'ok', failures: new Map(), handlersRun: [], applied: false };
  let connection;
  try {
    connection = connector.connect(host);
    // The probe, with the host's service versions: the desired state may be re-rendered with them.
    const { desired, actual, notices } = await lookAtHost(connection, work);
    result.notices = notices;
    work = { ...work, desired };
    const plan = planHost(desired, actual, { root: host.root, check: options.check, secretValues: host.secretValues, locateVariable: host.locateVariable });
    result.plan = plan;
    if (plan.errors.length > 0) return { ...result, status: 'failed', error: plan.errors.join('; ') };
    if (!hasWork(plan)) return result;
    result.status = 'changed';
    const targetChecks = targetChecksFor(plan.changes, desired.checks ?? []);

    let run;
    if (options.check) {
      // Check mode still runs the validate commands and whole-configuration checks, on the candidates.
      const script = verifyScript(plan, desired, targetChecks);
      if (!script) return result;
      run = await connection.run(script);
    } else {
      run = await connection.run(applyScript(plan, desired, { backup: options.backup, targetChecks }));
      result.applied = true;
    }
    return settle(result, work, parseApply(run.stdout), run);
  } catch (error) {
    // Lost half way, nothing the host did can be confirmed: report no resources, as for a host never reached.
    if (error instanceof ConnectionError) return { ...result, plan: undefined, status: error.status, error: error.message };
    if (error instanceof ProbeOutputError) return { ...result, status: 'failed', error: error.message };
    throw error;
  } finally {
    await connection?.close();
  }
}

/** Folds what an apply (or check-mode verify) script reported into the host's result. */
function settle(result: HostResult, work: HostWork, report: ApplyReport, run: { exitCode: number; stderr: string }): HostResult {
  const { desired, host } = work;
  // Command output (a validate command, a handler) may quote a secret file's content.
  for (const [id, message] of report.failed) {
    const resource = desired.resources[Number(id.slice(1))];
    result.failures.set(resource?.id ?? id, maskSecrets(message, host.secretValues));
  }
  // The script sends a failed step's stderr (tail-bounded); its last lines say why it failed.
  for (const handler of report.handlers) handler.detail = maskSecrets(lastLines(handler.detail), host.secretValues);
  result.done = new Set([...report.ok].map((id) => desired.resources[Number(id.slice(1))]?.id ?? id));
  result.handlersRun = report.handlers;
  result.plan?.notices.push(...report.notes);
  const failedHandlers = report.handlers.filter((h) => !h.ok);
  if (report.failed.size > 0 || failedHandlers.length > 0 || run.exitCode !== 0 || !report.done) {
    result.status = 'failed';
    const reasons = [...result.failures].map(([id, message]) => `${id}: ${message}`);
    for (const h of failedHandlers) reasons.push(`handler ${h.name} failed${h.detail ? `: ${h.detail}` : ''}`);
    if (reasons.length === 0) reasons.push(`script ended with exit ${run.exitCode}${run.stderr ? `: ${maskSecrets(lastLines(run.stderr), host.secretValues)}` : ''}`);
    result.error = reasons.join('\n');
  }
  return result;
}

/** Runs hosts `forks` at a time; `onDone` sees each result as soon as its host finishes. */
export async function runHosts(work: HostWork[], options: RunOptions & { forks: number }, onDone: (result: HostResult) => void): Promise<HostResult[]> {
  const results: HostResult[] = new Array(work.length);
  const connector = new Connector(options.connection);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < work.length) {
      const index = next++;
      const started = performance.now();
      const result = await runHost(work[index]!, options, connector);
      results[index] = { ...result, roundTrips: connector.roundTrips(result.name), seconds: (performance.now() - started) / 1000 };
      onDone(results[index]!);
    }
  }
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.forks, work.length)) }, worker));
  } finally {
    await connector.close();
  }
  return results;
}
