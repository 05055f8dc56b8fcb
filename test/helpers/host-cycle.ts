// Probe -> plan -> apply on a real local tree, through the same scripts a real host runs.
import { LocalConnection } from '../../src/host/local.js';
import { applyScript } from '../../src/apply/apply-script.js';
import { parseApply } from '../../src/host/protocol/parse-apply.js';
import { planHost } from '../../src/plan/plan-host.js';
import { parseProbe } from '../../src/host/protocol/parse-probe.js';
import { probeScript } from '../../src/probe/probe-script.js';
import type { DesiredState } from '../../src/model/desired.js';

const connection = new LocalConnection();

export async function planOn(root: string, desired: DesiredState) {
  const probe = await connection.run(probeScript(desired, root));
  if (probe.exitCode !== 0) throw new Error(`probe failed: ${probe.stderr}`);
  return planHost(desired, parseProbe(probe.stdout, desired), { root, secretValues: [] });
}

export async function applyOn(root: string, desired: DesiredState, backup = false) {
  const plan = await planOn(root, desired);
  const run = await connection.run(applyScript(plan, desired, { backup, targetChecks: [] }));
  return { plan, run, report: parseApply(run.stdout) };
}
