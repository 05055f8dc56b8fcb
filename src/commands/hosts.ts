import { ExitCode, UsageError } from '../errors.js';
import { selectHosts } from '../inventory/index.js';
import { loadInventoryAndRoles } from '../project/load-project.js';

export interface HostsCommandOptions {
  inventory: string;
  vars: boolean;
  defaults: boolean;
  json: boolean;
  limit?: string;
  extraVars: string[];
}

/** `provision hosts`: each host's groups, roles and (with --vars) merged inventory variables. */
export async function hostsCommand(options: HostsCommandOptions): Promise<number> {
  const { inventory, roles } = loadInventoryAndRoles(options.inventory, options.extraVars);
  const hosts = selectHosts(inventory, options.limit);
  if (hosts.length === 0 && options.limit) throw new UsageError(`--limit ${options.limit} matches no host in ${options.inventory}`);
  const listed = hosts.map((host) => {
    const hostRoles = Array.isArray(host.vars.provision_roles) ? (host.vars.provision_roles as unknown[]).map(String) : [];
    const entry: Record<string, unknown> = { name: host.name, groups: host.groups, roles: hostRoles };
    if (options.vars) {
      const defaults = options.defaults ? Object.assign({}, ...hostRoles.map((r) => roles.get(r)?.defaults ?? {})) : {};
      entry.vars = { ...defaults, ...host.vars };
    }
    return entry;
  });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ hosts: listed }, null, 2)}\n`);
    return ExitCode.ok;
  }
  for (const entry of listed) {
    process.stdout.write(`${entry.name}\n  groups: ${(entry.groups as string[]).join(', ')}\n  roles: ${(entry.roles as string[]).join(', ') || '(none)'}\n`);
    if (entry.vars) {
      for (const [key, value] of Object.entries(entry.vars as Record<string, unknown>)) process.stdout.write(`  ${key}: ${JSON.stringify(value)}\n`);
    }
  }
  return ExitCode.ok;
}
