import { resourceTarget } from '../../model/desired.js';
import { changeCount, okCount, progressCounts, wasPostponed } from '../../apply/host-result.js';
import type { HostResult } from '../../apply/host-result.js';
import type { Colors } from './colors.js';

function colorDiff(diff: string, c: Colors): string {
  return diff
    .split('\n')
    .map((line) => {
      if (line.startsWith('+++') || line.startsWith('---')) return c.bold(line);
      if (line.startsWith('+')) return c.green(line);
      if (line.startsWith('-')) return c.red(line);
      if (line.startsWith('@@')) return c.cyan(line);
      return line;
    })
    .join('\n');
}

/** The lines printed when one host finishes: its changes (and diffs), notices and error. */
export function hostLines(result: HostResult, options: { diff: boolean; check: boolean }, c: Colors): string[] {
  const lines: string[] = [];
  const host = result.name;
  for (const change of result.plan?.changes ?? []) {
    if (change.action !== 'create' && change.action !== 'update') continue;
    const failed = result.failures.get(change.resource.id);
    const postponed = wasPostponed(result, change.resource.id, change.afterIssuance !== undefined);
    const label = failed ? c.red('failed') : c.yellow(postponed ? `postponed ${change.action}` : change.action);
    const why = change.reasons.length > 0 ? ` (${change.reasons.join(', ')})` : '';
    lines.push(`${host}: ${label} ${change.resource.kind.replace('_', ' ')} ${resourceTarget(change.resource)}${why}`);
    if (failed) lines.push(indent(failed));
    if (options.diff && change.diff) lines.push(colorDiff(change.diff, c));
  }
  for (const removal of result.plan?.removals ?? []) {
    const failed = result.failures.get(removal.id);
    const label = failed ? c.red('failed') : c.yellow(wasPostponed(result, removal.id, removal.awaits !== undefined) ? 'postponed remove' : 'remove');
    lines.push(`${host}: ${label} ${removal.entry.kind.replace('_', ' ')} ${removal.entry.path} (${removal.reasons.join(', ')})`);
    if (failed) lines.push(indent(failed));
    if (options.diff && removal.diff) lines.push(colorDiff(removal.diff, c));
  }
  for (const handler of result.plan?.handlers ?? []) {
    if (options.check) lines.push(`${host}: ${c.yellow('would run')} handler ${handler.name}`);
  }
  for (const handler of result.handlersRun) {
    lines.push(`${host}: ${handler.ok ? c.yellow('ran') : c.red('failed')} handler ${handler.name}`);
    if (!handler.ok && handler.detail.trim()) lines.push(indent(handler.detail));
  }
  for (const notice of result.notices ?? []) lines.push(`${host}: ${c.dim(`note: ${notice}`)}`);
  for (const warning of result.plan?.warnings ?? []) lines.push(`${host}: ${c.yellow('warning')}: ${warning}`);
  // Notices explain changes; a host with nothing to change has nothing to explain.
  if (result.status === 'ok') return lines;
  for (const notice of result.plan?.notices ?? []) lines.push(`${host}: ${c.dim(`note: ${notice}`)}`);
  if (result.status === 'unreachable') lines.push(`${host}: ${c.red('UNREACHABLE')}: ${result.error}`);
  // A failed resource or handler was quoted above with its reason; the error would only repeat it.
  else if (result.error && result.failures.size === 0 && result.handlersRun.every((h) => h.ok)) lines.push(`${host}: ${c.red('FAILED')}: ${result.error}`);
  return lines;
}

/** Every line of a (multi-line) message, indented under the line it explains. */
function indent(text: string): string {
  return text
    .trim()
    .split('\n')
    .map((line) => `  ${line.trimEnd()}`)
    .join('\n');
}

/** How many of the host's resources and handlers changed, were already right, failed or were not reached. */
function countsText(result: HostResult): string {
  const { changed, unchanged, failed, notDone } = progressCounts(result);
  const parts = result.status === 'ok' ? [`${unchanged} unchanged`] : [`${changed} changed`, `${unchanged} unchanged`];
  if (failed > 0) parts.push(`${failed} failed`);
  if (notDone > 0) parts.push(`${notDone} not done`);
  return parts.join(', ');
}

/** One line per host as it finishes, so a long run shows progress: `web1: changed (2 changed, 5 unchanged) 0.4s`. */
export function progressLine(result: HostResult, c: Colors): string {
  const colour = result.status === 'ok' ? c.green : result.status === 'changed' ? c.yellow : c.red;
  const counts = result.status === 'unreachable' ? '' : ` (${countsText(result)})`;
  const time = result.seconds === undefined ? '' : ` ${result.seconds.toFixed(1)}s`;
  return `${result.name}: ${colour(result.status)}${counts}${time}`;
}

export function recapLines(results: HostResult[], options: { check: boolean; root?: string }, c: Colors): string[] {
  const width = Math.max(...results.map((r) => r.name.length));
  const lines = ['', c.bold(options.check ? 'RECAP (check mode: nothing was written)' : 'RECAP')];
  for (const r of results) {
    const failed = r.status === 'failed' ? 1 : 0;
    const unreachable = r.status === 'unreachable' ? 1 : 0;
    const name = r.status === 'ok' ? c.green(r.name.padEnd(width)) : r.status === 'changed' ? c.yellow(r.name.padEnd(width)) : c.red(r.name.padEnd(width));
    lines.push(`${name} : ok=${okCount(r)} changed=${changeCount(r)} failed=${failed} unreachable=${unreachable}`);
  }
  return lines;
}
