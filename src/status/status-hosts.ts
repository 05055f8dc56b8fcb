// `provision status` on a fleet: per host one script over the same connection, become and host-key
// rules as apply (src/host/connect.ts), `forks` hosts at a time; a host that cannot be reached is
// reported as such (health unknown) and the others still are.
import { Connector } from '../host/connect.js';
import { lastLines } from '../host/last-lines.js';
import { parseStatus } from '../host/protocol/parse-status.js';
import { ProbeOutputError } from '../host/protocol/parse-probe.js';
import type { ConnectOptions } from '../host/types.js';
import { ConnectionError } from '../host/types.js';
import type { Problem } from '../model/errors.js';
import { inParallel } from '../model/parallel.js';
import type { Project, RenderedHost } from '../pipeline/pipeline.js';
import { isPathResource } from '../model/desired.js';
import { foreignLinkWarnings } from '../plan/foreign-links.js';
import { judgeCertificate, judgeSchedule } from './health.js';
import { certificateId, endpointId, statusScript, withoutTimer } from './status-script.js';
import { statusTargets } from './targets.js';
import type { StatusTargets } from './targets.js';
import type { HostStatus } from './types.js';
import { worst } from './types.js';

export interface StatusOptions {
  forks: number;
  connection?: ConnectOptions;
}

/** Every selected host's targets, or the problems of the role manifests' endpoints: found before any host is touched. */
export function fleetTargets(project: Pick<Project, 'hosts' | 'renderers'>): { targets: StatusTargets[]; problems: Problem[] } {
  const problems: Problem[] = [];
  const targets = project.hosts.map(({ host, desired }) => {
    const found = statusTargets(host.name, host.roles, host.vars, project.renderers);
    problems.push(...found.problems);
    // The same leftovers plan warns about (src/plan/foreign-links.ts), looked for in the same round trip.
    const foreignLinks = (desired.foreignLinks ?? []).map(({ dir, uses }) => ({ dir, uses }));
    return foreignLinks.length === 0
      ? found.targets
      : { ...found.targets, foreignLinks, managedPaths: desired.resources.filter(isPathResource).map((r) => r.path) };
  });
  return { targets, problems };
}

async function statusOfHost(rendered: RenderedHost, targets: StatusTargets, connector: Connector): Promise<HostStatus> {
  const name = rendered.host.name;
  let connection;
  try {
    connection = connector.connect(rendered.host);
    const run = await connection.run(statusScript(targets, rendered.host.root));
    // Under a --root tree no daemon was asked: no endpoint to judge.
    const endpoints = rendered.host.root === undefined ? targets.endpoints : [];
    if (run.exitCode !== 0)
      return { name, reach: 'failed', error: `status script failed (exit ${run.exitCode}): ${lastLines(run.stderr)}`, certificates: [], health: 'unknown' };
    const seen = parseStatus(run.stdout);
    const schedule = judgeSchedule(
      rendered.host.root === undefined ? targets.schedule : targets.schedule && withoutTimer(targets.schedule),
      seen.schedule,
      seen,
    );
    const certificates = targets.certificates.map((target, i) =>
      judgeCertificate(
        target,
        seen.certificates.get(certificateId(i)),
        endpoints.flatMap((endpoint, j) => (endpoint.certificate === target.name ? [{ endpoint, observed: seen.endpoints.get(endpointId(j)) }] : [])),
        schedule,
        seen.now,
      ),
    );
    // A leftover site nothing renews will serve an expired certificate: the host warns (as plan does), whatever its certificates say.
    const warnings = rendered.host.root === undefined ? foreignLinkWarnings(rendered.desired, seen) : [];
    const health = worst([...certificates.map((c) => c.health), ...(warnings.length > 0 ? (['warning'] as const) : [])]);
    return { name, reach: 'ok', now: seen.now, schedule, certificates, warnings, health };
  } catch (error) {
    if (error instanceof ConnectionError) return { name, reach: error.status, error: error.message, certificates: [], health: 'unknown' };
    if (error instanceof ProbeOutputError) return { name, reach: 'failed', error: error.message, certificates: [], health: 'unknown' };
    throw error;
  } finally {
    await connection?.close();
  }
}

/** The status of every host, in inventory order; `onDone` sees each as soon as its host answered. */
export async function statusHosts(
  project: Pick<Project, 'hosts' | 'renderers'>,
  targets: StatusTargets[],
  options: StatusOptions,
  onDone: (status: HostStatus) => void = () => {},
): Promise<HostStatus[]> {
  const results: HostStatus[] = new Array(project.hosts.length);
  // One script per host: no control master to open and close for it.
  const connector = new Connector({ ...options.connection, multiplex: false });
  try {
    await inParallel(project.hosts, options.forks, async (host, index) => {
      results[index] = await statusOfHost(host, targets[index]!, connector);
      onDone(results[index]!);
    });
  } finally {
    await connector.close();
  }
  return results;
}
