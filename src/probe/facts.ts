// Service versions as facts: gathered from the host by the probe, stated in the inventory where no
// host is reachable (render, validate, a --root tree). Each fact has the variable that states it; the
// roles' templates read only the variable, which the fact overrides when the host was looked at.
// Which facts there are, and how each is read, is role data: each role's manifest declares its own
// (`facts:` in role.yml, compiled by src/load/load-roles.ts).
import type { Fact, Role } from '../load/role.js';
import { versionAgrees } from '../template/version.js';
import { answerPrefix, probeAnswer } from '../host/protocol/answers.js';

export type { Fact };

/** Every fact the loaded roles declare. */
export function factsOf(roles: Iterable<Role>): Fact[] {
  return [...roles].flatMap((role) => role.facts);
}

/** The version in the program's own output: the first capture of the first of its patterns that matches. */
export function factVersion(fact: Fact, output: string): string | undefined {
  for (const pattern of fact.version) {
    const version = pattern.exec(output)?.[1];
    if (version) return version;
  }
  return undefined;
}

/**
 * The facts a host's variables call for: those whose variable it has (from its roles' defaults or the
 * inventory), in the order of its variables.
 */
export function wantedFacts(vars: Record<string, unknown>, facts: readonly Fact[]): Fact[] {
  return Object.keys(vars).flatMap((variable) => facts.filter((fact) => fact.variable === variable));
}

const factPrefix = answerPrefix(probeAnswer.fact);

/** The probe's `@fact NAME OUTPUT` lines, read into versions; a program not installed gives no entry. */
export function parseFacts(output: string, facts: readonly Fact[]): Map<Fact, string> {
  const found = new Map<Fact, string>();
  for (const line of output.split('\n')) {
    const m = line.startsWith(factPrefix) ? /^(\S+) (.*)$/.exec(line.slice(factPrefix.length)) : null;
    const fact = m ? facts.find((f) => f.name === m[1]) : undefined;
    const version = fact ? factVersion(fact, m![2]!.trim()) : undefined;
    if (fact && version) found.set(fact, version);
  }
  return found;
}

export interface FactOutcome {
  /** the host's variables with every gathered fact in its variable */
  vars: Record<string, unknown>;
  /** variables whose value the facts changed */
  changed: string[];
  /** one line per version the inventory states differently from the host */
  notices: string[];
}

/**
 * A fact gathered from the host wins over the variable. When the inventory (or -e) states a version the
 * host does not run, the host's is used and a notice says so; "3.7" stated agrees with "3.7.11" found.
 */
export function applyFacts(vars: Record<string, unknown>, stated: Record<string, unknown>, found: Map<Fact, string>): FactOutcome {
  const result: FactOutcome = { vars: { ...vars }, changed: [], notices: [] };
  for (const [fact, version] of found) {
    const current = vars[fact.variable];
    if (current !== version) {
      result.vars[fact.variable] = version;
      result.changed.push(fact.variable);
    }
    const said = stated[fact.variable];
    if (said !== undefined && !agrees(said, version)) {
      result.notices.push(`the host runs ${fact.label} ${version}; ${fact.variable} ${JSON.stringify(said)} from the inventory is not used`);
    }
  }
  return result;
}

function agrees(stated: unknown, found: string): boolean {
  try {
    return versionAgrees(stated, found);
  } catch {
    return false;
  }
}
