// The probe's round trip, with facts: the host is rendered with the versions its variables state;
// one probe script looks at every resource and gathers the versions; when the versions found change
// the rendering, the host is rendered again and the plan uses what that same probe saw. A second
// probe runs only for a re-rendered resource the first never looked at.
import { lastLines } from '../connection/last-lines.js';
import type { Connection } from '../connection/types.js';
import { formatProblem } from '../errors.js';
import type { HostWork } from '../project/load-project.js';
import { carryOver, mergeActual } from '../probe/carry-over.js';
import { parseProbe, ProbeOutputError } from '../host/protocol/parse-probe.js';
import { probeScript } from '../probe/probe-script.js';
import type { ActualState } from '../state/actual.js';
import type { DesiredState } from '../state/desired.js';
import { applyFacts, parseFacts, wantedFacts } from './facts.js';

export interface HostLook {
  /** the host's desired state, rendered with its facts */
  desired: DesiredState;
  actual: ActualState;
  /** the variables it was rendered with */
  vars: Record<string, unknown>;
  /** versions the inventory states differently from the host */
  notices: string[];
}

async function probe(connection: Connection, script: string, desired: DesiredState): Promise<{ actual: ActualState; stdout: string }> {
  const run = await connection.run(script);
  if (run.exitCode !== 0) throw new ProbeOutputError(`probe failed (exit ${run.exitCode}): ${lastLines(run.stderr)}`);
  return { actual: parseProbe(run.stdout, desired), stdout: run.stdout };
}

/** Facts are gathered only from a real host: never under a --root tree, whose programs are not the tree's. */
export async function lookAtHost(connection: Connection, work: HostWork): Promise<HostLook> {
  const { host, desired } = work;
  const facts = host.root === undefined ? wantedFacts(host.vars, work.facts) : [];
  const first = await probe(connection, probeScript(desired, host.root, { facts }), desired);
  const outcome = applyFacts(host.vars, host.inventoryVars, parseFacts(first.stdout, facts));
  if (outcome.changed.length === 0 || !work.render) return { desired, actual: first.actual, vars: host.vars, notices: outcome.notices };

  const rendered = work.render(outcome.vars);
  if (rendered.problems.length > 0) {
    const versions = outcome.changed.map((v) => `${v} ${JSON.stringify(outcome.vars[v])}`).join(', ');
    throw new ProbeOutputError(`the roles do not render with the host's versions (${versions}): ${rendered.problems.map(formatProblem).join('; ')}`);
  }
  const carried = carryOver(desired, first.actual, rendered.state);
  let actual = carried.actual;
  if (carried.unprobed.length > 0 || carried.accounts.users.length > 0 || carried.accounts.groups.length > 0) {
    const rest: DesiredState = { host: desired.host, resources: carried.unprobed, handlers: [] };
    const second = await probe(connection, probeScript(rest, host.root, { accounts: carried.accounts }), rest);
    actual = mergeActual(actual, second.actual);
  }
  return { desired: rendered.state, actual, vars: outcome.vars, notices: outcome.notices };
}
