// Warnings of one run (what Ansible warns about and goes on): the load stage notes them here, and
// src/cli/cli.ts prints them once, or `validate` takes them into its own report instead.

import { type Problem } from './errors.js';

const noted = new Map<string, Problem>();

function keyOf(p: Problem): string {
  return JSON.stringify([p.file, p.line, p.col, p.variable, p.message]);
}

/** The same warning (an inventory loaded twice, a group_vars/ seen for every group) is kept once, without hosts. */
export function uniqueWarnings(problems: readonly Problem[]): Problem[] {
  const unique = new Map<string, Problem>();
  for (const p of problems) {
    const { hosts: _hosts, ...rest } = p;
    if (!unique.has(keyOf(rest))) unique.set(keyOf(rest), { ...rest, severity: 'warning' });
  }
  return [...unique.values()];
}

export function noteWarnings(problems: readonly Problem[]): void {
  for (const p of uniqueWarnings(problems)) if (!noted.has(keyOf(p))) noted.set(keyOf(p), p);
}

/**
 * A host's own warnings (a role's assert of severity warning), kept with the hosts they are about, which
 * the CLI names: the same one for several hosts is kept once, naming them all.
 */
export function noteHostWarnings(problems: readonly Problem[]): void {
  for (const p of problems) {
    const kept = noted.get(keyOf(p));
    if (kept) kept.hosts = [...new Set([...(kept.hosts ?? []), ...(p.hosts ?? [])])];
    else noted.set(keyOf(p), { ...p, hosts: p.hosts && [...p.hosts], severity: 'warning' });
  }
}

/** The warnings noted so far, in the order met; they are forgotten (so nothing prints them twice). */
export function takeWarnings(): Problem[] {
  const all = [...noted.values()];
  noted.clear();
  return all;
}
