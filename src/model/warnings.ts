// Warnings of one run (what Ansible warns about and goes on): the load stage notes them here, and
// src/cli/cli.ts prints them once, or `validate` takes them into its own report instead.

import { type Problem } from './errors.js';

const noted = new Map<string, Problem>();

function keyOf(p: Problem): string {
  return JSON.stringify([p.file, p.line, p.col, p.variable, p.message]);
}

/**
 * The same warning (an inventory loaded twice, a group_vars/ seen for every group, a role's warning for
 * several hosts) is kept once, naming every host it was found for.
 */
export function uniqueWarnings(problems: readonly Problem[]): Problem[] {
  const unique = new Map<string, Problem>();
  for (const p of problems) {
    const kept = unique.get(keyOf(p));
    if (kept) kept.hosts = mergeHosts(kept.hosts, p.hosts);
    else unique.set(keyOf(p), { ...p, hosts: p.hosts && [...p.hosts], severity: 'warning' });
  }
  return [...unique.values()];
}

function mergeHosts(a: string[] | undefined, b: string[] | undefined): string[] | undefined {
  return a || b ? [...new Set([...(a ?? []), ...(b ?? [])])] : undefined;
}

export function noteWarnings(problems: readonly Problem[]): void {
  for (const p of uniqueWarnings(problems)) {
    const kept = noted.get(keyOf(p));
    if (kept) kept.hosts = mergeHosts(kept.hosts, p.hosts);
    else noted.set(keyOf(p), p);
  }
}

/** The warnings noted so far, in the order met; they are forgotten (so nothing prints them twice). */
export function takeWarnings(): Problem[] {
  const all = [...noted.values()];
  noted.clear();
  return all;
}
