// The rate-limit check of a run (src/plan/rate-limits.ts) over all its hosts: from the plans a run
// made (plan, apply --check, and after an apply told to go ahead), or, before an apply changes
// anything, from a probe of every Let's Encrypt production host. That probe runs only when the
// desired certificates alone could go over the limit, so an ordinary apply costs nothing more.
// Imported by the apply command only when couldExceedLimit says a domain could go over.
import { Connector } from '../host/connect.js';
import type { ConnectOptions } from '../host/types.js';
import { ConnectionError } from '../host/types.js';
import { planHost } from '../plan/plan-host.js';
import { ProbeOutputError } from '../host/protocol/parse-probe.js';
import { isLetsEncryptProduction, mostPossible, newCertificates, newCertificatesPerDomain, overLimit } from '../plan/rate-limits.js';

export { batchAdvice, describeExcess } from '../plan/rate-limits.js';
import type { RateLimitExcess } from '../plan/rate-limits.js';
import type { Plan } from '../plan/types.js';
import { lookAtHost } from './pipeline.js';
import type { Project, RenderedHost as HostWork } from './pipeline.js';
import type { HostResult } from '../apply/host-result.js';
import { inParallel } from '../model/parallel.js';

function productionHosts(work: HostWork[]): Set<string> {
  return new Set(work.filter((w) => isLetsEncryptProduction(w.host.vars)).map((w) => w.host.name));
}

/** Over the limit, from the plans the run made (a host never reached counts nothing). */
export function excessOfResults(work: HostWork[], results: HostResult[]): RateLimitExcess[] {
  const production = productionHosts(work);
  const plans = results.filter((r) => production.has(r.name) && r.plan).map((r) => r.plan!);
  return overLimit(plans.flatMap(newCertificates));
}

/** Over the limit, found before an apply: probes (read-only) the production hosts when it could be. */
export async function excessBeforeApply(
  project: Pick<Project, 'hosts' | 'renderers' | 'facts'>,
  options: { forks: number; connection?: ConnectOptions },
): Promise<RateLimitExcess[]> {
  const production = project.hosts.filter((w) => isLetsEncryptProduction(w.host.vars));
  const certificates = production.flatMap((w) =>
    w.desired.resources.filter((r) => r.kind === 'placeholder_certificate').map((r) => ({ host: w.host.name, domains: r.domains })),
  );
  if (mostPossible(certificates) <= newCertificatesPerDomain) return [];
  const plans: Plan[] = [];
  const connector = new Connector(options.connection);
  try {
    await inParallel(production, options.forks, async (item) => {
      const connection = connector.connect(item.host);
      try {
        const { desired, actual } = await lookAtHost(connection, item, project);
        plans.push(planHost(desired, actual, { root: item.host.root, check: true, secretValues: item.host.secretValues }));
      } catch (error) {
        // Not reached or not readable: the apply itself reports that host; it asks the CA for nothing.
        if (!(error instanceof ConnectionError) && !(error instanceof ProbeOutputError)) throw error;
      } finally {
        await connection.close();
      }
    });
  } finally {
    await connector.close();
  }
  return overLimit(plans.flatMap(newCertificates));
}
