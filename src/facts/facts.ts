// Service versions as facts: gathered from the host by the probe, stated in the inventory where no
// host is reachable (render, validate, a --root tree). Each fact has the variable that states it; the
// roles' templates read only the variable, which the fact overrides when the host was looked at.
import { versionAgrees } from '../render/version.js';
import { answerPrefix, probeAnswer } from '../host/protocol/answers.js';

export interface Fact {
  /** the shell function `fact_<name>` in shell/probe.sh */
  name: 'apache' | 'postfix' | 'dovecot' | 'openssl';
  /** the variable that states it (role defaults: Debian 12's versions) */
  variable: string;
  /** what the messages call the program */
  label: string;
  /** the version in the program's own output, or undefined when it is not there */
  parse(output: string): string | undefined;
}

const firstVersion = (pattern: RegExp) => (output: string) => pattern.exec(output)?.[1];

export const facts: readonly Fact[] = [
  { name: 'apache', variable: 'apache_version', label: 'Apache', parse: firstVersion(/Apache\/(\d+(?:\.\d+)+)/) },
  // The library's version decides what mod_ssl can offer; `openssl version` names it after "Library:"
  // when the command-line tool was built against another one.
  { name: 'openssl', variable: 'apache_openssl_version', label: 'OpenSSL', parse: (output) => /Library: OpenSSL (\d+(?:\.\d+)+)/.exec(output)?.[1] ?? /^OpenSSL (\d+(?:\.\d+)+)/.exec(output)?.[1] },
  { name: 'postfix', variable: 'postfix_version', label: 'Postfix', parse: firstVersion(/^(\d+(?:\.\d+)+)/) },
  { name: 'dovecot', variable: 'dovecot_version', label: 'Dovecot', parse: firstVersion(/^(\d+(?:\.\d+)+)/) },
];

/** The facts a host's variables call for: those whose variable it has (from its roles' defaults or the inventory). */
export function wantedFacts(vars: Record<string, unknown>): Fact[] {
  return facts.filter((fact) => fact.variable in vars);
}

const factPrefix = answerPrefix(probeAnswer.fact);

/** The probe's `@fact NAME OUTPUT` lines, read into versions; a program not installed gives no entry. */
export function parseFacts(output: string): Map<Fact, string> {
  const found = new Map<Fact, string>();
  for (const line of output.split('\n')) {
    const m = line.startsWith(factPrefix) ? /^(\S+) (.*)$/.exec(line.slice(factPrefix.length)) : null;
    const fact = m ? facts.find((f) => f.name === m[1]) : undefined;
    const version = fact ? fact.parse(m![2]!.trim()) : undefined;
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
