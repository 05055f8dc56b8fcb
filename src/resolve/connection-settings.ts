// A host's connection variables (Ansible's names, and provision_host_key_checking) read into the
// HostAddress the connection takes: the only place that knows which variable says what.
import type { Problem } from '../model/errors.js';
import type { HostAddress, HostKeyChecking } from '../model/host-address.js';
import { shlexSplit, ShlexError } from '../model/shlex.js';

/** provision_host_key_checking: YAML turns `yes` into true; anything else leaves it to the run. */
function hostKeyChecking(value: unknown): HostKeyChecking | undefined {
  if (value === true || value === 'yes') return 'yes';
  if (value === 'accept-new') return 'accept-new';
  return undefined;
}

export function connectionSettings(hostName: string, vars: Record<string, unknown>): HostAddress {
  return {
    type: (vars.ansible_connection as 'local' | 'ssh' | undefined) ?? 'ssh',
    address: (vars.ansible_host as string | undefined) ?? hostName,
    port: vars.ansible_port as number | undefined,
    user: vars.ansible_user as string | undefined,
    privateKeyFile: vars.ansible_ssh_private_key_file as string | undefined,
    commonArgs: vars.ansible_ssh_common_args as string | undefined,
    // Set at all, the host's ansible_become wins over --become (as in Ansible), false included.
    become: 'ansible_become' in vars ? vars.ansible_become === true : undefined,
    becomeUser: vars.ansible_become_user as string | undefined,
    hostKeyChecking: hostKeyChecking(vars.provision_host_key_checking),
  };
}

/** Connection settings that cannot be used, found before any host is touched. */
export function connectionProblems(hosts: { name: string; connection: HostAddress }[]): Problem[] {
  const problems: Problem[] = [];
  for (const host of hosts) {
    const args = host.connection.commonArgs;
    if (host.connection.type !== 'ssh' || args === undefined) continue;
    try {
      shlexSplit(args);
    } catch (error) {
      if (!(error instanceof ShlexError)) throw error;
      problems.push({
        hosts: [host.name],
        variable: 'ansible_ssh_common_args',
        message: `cannot split ${JSON.stringify(args)} into arguments: ${error.message}`,
      });
    }
  }
  return problems;
}
