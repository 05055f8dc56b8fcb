// `provision status`: what every selected host's certificates are and what its daemons serve, judged
// per certificate (src/status/); read-only, one round trip per host. Writes only to `out`.
import { connectionProblems } from '../../resolve/connection-settings.js';
import type { ConnectOptions } from '../../host/types.js';
import { ExitCode, InputError } from '../../model/errors.js';
import { prepareProjectOrThrow } from '../../pipeline/pipeline.js';
import { fleetTargets, statusHosts } from '../../status/status-hosts.js';
import type { HostStatus } from '../../status/types.js';
import type { Output } from '../report/output.js';
import { statusJson } from '../report/status-json.js';
import { statusTextLines } from '../report/status-text.js';

export const statusFormats = ['text', 'json', 'prometheus', 'nagios'] as const;
export type StatusFormat = (typeof statusFormats)[number];

export interface StatusCommandOptions {
  inventory: string | readonly string[];
  limit?: string;
  forks: number;
  extraVars: string[];
  /** --root: read each host's tree under DIR/<host>/ (no daemon is asked there) */
  root?: string;
  format: StatusFormat;
  connection?: ConnectOptions;
}

/** provision's own exit codes: a host not reached or failed first (as apply), then a certificate not ok. */
export function statusExitCode(hosts: HostStatus[]): number {
  if (hosts.some((h) => h.reach === 'unreachable')) return ExitCode.hostUnreachable;
  if (hosts.some((h) => h.reach === 'failed')) return ExitCode.hostFailed;
  if (hosts.some((h) => h.health === 'warning' || h.health === 'critical')) return ExitCode.notOk;
  return ExitCode.ok;
}

export async function statusCommand(options: StatusCommandOptions, out: Output): Promise<number> {
  const project = prepareProjectOrThrow(options.inventory, { extraVars: options.extraVars, limit: options.limit, root: options.root });
  const { targets, problems } = fleetTargets(project);
  problems.push(...connectionProblems(project.hosts.map((w) => w.host)));
  if (problems.length > 0) throw new InputError(problems);
  const hosts = await statusHosts(project, targets, { forks: options.forks, connection: options.connection });
  switch (options.format) {
    case 'json':
      out.write(statusJson(hosts));
      return statusExitCode(hosts);
    case 'prometheus': {
      const { statusPrometheus } = await import('../report/status-prometheus.js');
      out.write(statusPrometheus(hosts));
      return statusExitCode(hosts);
    }
    case 'nagios': {
      const { statusNagios } = await import('../report/status-nagios.js');
      const { line, exitCode } = statusNagios(hosts);
      out.write(`${line}\n`);
      return exitCode;
    }
    default:
      out.write(`${statusTextLines(hosts, out.colors).join('\n')}\n`);
      return statusExitCode(hosts);
  }
}
