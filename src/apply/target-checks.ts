import type { Change } from '../plan/types.js';
import { isPending } from '../plan/types.js';
import { shquote } from '../template/filters.js';
import type { ConfigCheck } from '../model/desired.js';
import type { Removal } from '../plan/removals.js';

/**
 * A whole-configuration check run on the host itself before anything is renamed into place (and in
 * check mode): the command runs in a private mount namespace where a copy of `root`, holding the
 * candidate files and links, is mounted over `root`. The daemon's own view, with nothing changed.
 */
export interface TargetCheck {
  name: string;
  root: string;
  /** the check's command, with the changed checked files (host paths) set as "$@" */
  command: string;
  /** what the messages call the command ("myapp --check-config") */
  label: string;
  /** the changed files and links under `root` */
  changes: Change[];
  /** the removed files and links under `root` (their index in the plan's removals): gone from the copy */
  removed: { index: number; path: string }[];
}

function under(path: string, root: string): boolean {
  return path === root || path.startsWith(`${root}/`);
}

/**
 * The target checks that pending changes call for: one per check (rendered with the host's
 * variables, src/render/render-host.ts) named by a changed file, or whose root holds a file or link
 * this apply removes (a site disabled must leave a configuration that passes).
 */
export function targetChecksFor(changes: Change[], checks: readonly ConfigCheck[], removals: readonly Removal[] = []): TargetCheck[] {
  const pending = changes.filter(isPending);
  const gone = removals.flatMap((r, index) => (r.entry.kind === 'file' || r.entry.kind === 'symlink' ? [{ index, path: r.entry.path }] : []));
  const names = new Set([
    ...pending.flatMap((c) => (c.resource.kind === 'file' ? (c.resource.checks ?? []) : [])),
    ...checks.filter((check) => gone.some((g) => under(g.path, check.root))).map((check) => check.name),
  ]);
  const selected: TargetCheck[] = [];
  for (const name of names) {
    const check = checks.find((c) => c.name === name);
    if (!check) continue;
    const checked = pending.flatMap((c) => (c.resource.kind === 'file' && c.resource.checks?.includes(name) ? [c.resource.path] : []));
    const inside = pending.filter((c) => (c.resource.kind === 'file' || c.resource.kind === 'symlink') && under(c.resource.path, check.root));
    const command = `set -- ${checked.map(shquote).join(' ')}\n${check.command}`;
    selected.push({ name, root: check.root, command, label: check.label, changes: inside, removed: gone.filter((g) => under(g.path, check.root)) });
  }
  return selected;
}
