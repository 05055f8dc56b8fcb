// What an apply (or check-mode verify) script reported, folded into the host's result for the report.
import type { ApplyReport } from '../host/protocol/parse-apply.js';
import { lastLines } from '../host/last-lines.js';
import type { HostResult } from './host-result.js';
import type { DesiredState } from '../model/desired.js';
import { maskSecrets } from '../resolve/mask-secrets.js';

export function settle(
  result: HostResult,
  desired: DesiredState,
  secretValues: string[],
  report: ApplyReport,
  run: { exitCode: number; stderr: string },
): HostResult {
  // A script id (`r3` a resource, `x1` a removal) as the result names it: the resource's id, `remove:PATH`.
  const nameOf = (id: string) =>
    /^r\d+$/.test(id) ? (desired.resources[Number(id.slice(1))]?.id ?? id) : /^x\d+$/.test(id) ? (result.plan?.removals[Number(id.slice(1))]?.id ?? id) : id;
  // Command output (a validate command, a handler) may quote a secret file's content.
  for (const [id, message] of report.failed) result.failures.set(nameOf(id), maskSecrets(message, secretValues));
  // The script sends a failed step's stderr (tail-bounded); its last lines say why it failed.
  for (const handler of report.handlers) handler.detail = maskSecrets(lastLines(handler.detail), secretValues);
  result.done = new Set([...report.ok].map(nameOf));
  result.handlersRun = report.handlers;
  result.plan?.notices.push(...report.notes);
  if (result.plan && report.warnings.length > 0) result.plan.warnings = [...(result.plan.warnings ?? []), ...report.warnings];
  const failedHandlers = report.handlers.filter((h) => !h.ok);
  if (report.failed.size > 0 || failedHandlers.length > 0 || run.exitCode !== 0 || !report.done) {
    result.status = 'failed';
    const reasons = [...result.failures].map(([id, message]) => `${id}: ${message}`);
    for (const h of failedHandlers) reasons.push(`handler ${h.name} failed${h.detail ? `: ${h.detail}` : ''}`);
    if (reasons.length === 0)
      reasons.push(`script ended with exit ${run.exitCode}${run.stderr ? `: ${maskSecrets(lastLines(run.stderr), secretValues)}` : ''}`);
    result.error = reasons.join('\n');
  }
  return result;
}
