import { ExitCode, UsageError } from '../../model/errors.js';
import { selectHosts } from '../../load/inventory/index.js';
import { load } from '../../pipeline/pipeline.js';
import { declaredRoles } from '../../resolve/host-roles.js';
import type { Role } from '../../load/role.js';
import { pythonJson } from '../report/python-json.js';
import type { Output } from '../report/output.js';

export interface HostsCommandOptions {
  inventory: string | readonly string[];
  vars: boolean;
  defaults: boolean;
  json: boolean;
  limit?: string;
  extraVars: string[];
}

/** Variables never printed: the roles' secret ones and those named in provision_secret_vars. */
function secretNames(vars: Record<string, unknown>, roles: (Role | undefined)[]): Set<string> {
  const names = new Set(Array.isArray(vars.provision_secret_vars) ? vars.provision_secret_vars.map(String) : []);
  for (const role of roles) for (const name of role?.secretVariables ?? []) names.add(name);
  return names;
}

/** `provision hosts`: each host's groups, roles and (with --vars) merged inventory variables. */
export async function hostsCommand(options: HostsCommandOptions, out: Output): Promise<number> {
  const { inventory, roles } = load(options.inventory, options.extraVars, { keepInlineVaultWithoutPassword: true });
  const hosts = selectHosts(inventory, options.limit);
  if (hosts.length === 0 && options.limit) throw new UsageError(`--limit ${options.limit} matches no host in ${[options.inventory].flat().join(' ')}`);
  const listed = hosts.map((host) => {
    const hostRoles = declaredRoles(host.vars);
    const entry: Record<string, unknown> = { name: host.name, groups: host.groups, roles: hostRoles };
    if (options.vars) {
      const defaults = options.defaults ? Object.assign({}, ...hostRoles.map((r) => roles.get(r)?.defaults ?? {})) : {};
      const vars: Record<string, unknown> = { ...defaults, ...host.vars };
      for (const name of secretNames(
        host.vars,
        hostRoles.map((r) => roles.get(r)),
      ))
        if (name in vars) vars[name] = '(secret)';
      // vault-encrypted values (ansible-inventory prints inline ones still encrypted; we never print them)
      for (const [name, origin] of host.origins) if (origin.secret) vars[name] = '(secret)';
      entry.vars = vars;
    }
    return entry;
  });
  if (options.json) {
    out.write(`${pythonJson({ hosts: listed }, 2)}\n`);
    return ExitCode.ok;
  }
  for (const entry of listed) {
    out.write(`${entry.name}\n  groups: ${(entry.groups as string[]).join(', ')}\n  roles: ${(entry.roles as string[]).join(', ') || '(none)'}\n`);
    if (entry.vars) {
      for (const [key, value] of Object.entries(entry.vars as Record<string, unknown>)) out.write(`  ${key}: ${pythonJson(value)}\n`);
    }
  }
  return ExitCode.ok;
}
