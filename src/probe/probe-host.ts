// The probe stage on one host: one script looks at every resource of the desired state (and gathers
// the facts asked for); its answer lines are read back into an ActualState. Nothing is changed.
import { lastLines } from '../host/last-lines.js';
import type { Connection } from '../host/types.js';
import type { ActualState } from '../model/actual.js';
import type { DesiredState } from '../model/desired.js';
import { parseProbe, ProbeOutputError } from '../host/protocol/parse-probe.js';
import { probeScript } from './probe-script.js';
import type { ProbeOptions } from './probe-script.js';

export interface ProbeAnswer {
  actual: ActualState;
  /** the script's whole output: the facts' `@fact` lines are read from it */
  output: string;
}

export async function probeHost(connection: Connection, desired: DesiredState, root: string | undefined, options: ProbeOptions = {}): Promise<ProbeAnswer> {
  const run = await connection.run(probeScript(desired, root, options));
  if (run.exitCode !== 0) throw new ProbeOutputError(`probe failed (exit ${run.exitCode}): ${lastLines(run.stderr)}`);
  return { actual: parseProbe(run.stdout, desired), output: run.stdout };
}
