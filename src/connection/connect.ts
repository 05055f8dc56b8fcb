import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Problem } from '../errors.js';
import type { PreparedHost } from '../vars/prepare-hosts.js';
import { becomeFor } from './become.js';
import { onStop } from './children.js';
import { LocalConnection } from './local.js';
import { Deadline } from './process.js';
import { shlexSplit, ShlexError } from '../shlex.js';
import { SshConnection } from './ssh.js';
import type { Connection, ConnectOptions, HostKeyChecking } from './types.js';
import { interrupted, UnreachableError } from './types.js';

/** ssh's ConnectTimeout without --timeout (Ansible's default timeout). */
const defaultConnectTimeoutSeconds = 10;

/** provision_host_key_checking (YAML turns `yes` into true) over --host-key-checking over `yes`. */
function hostKeyCheckingFor(host: PreparedHost, options: ConnectOptions): HostKeyChecking {
  const own = host.vars.provision_host_key_checking;
  if (own === true || own === 'yes') return 'yes';
  if (own === 'accept-new') return 'accept-new';
  return options.hostKeyChecking ?? 'yes';
}

/** Connection settings that cannot be used, found before any host is touched. */
export function connectionProblems(hosts: PreparedHost[]): Problem[] {
  const problems: Problem[] = [];
  for (const host of hosts) {
    const args = host.connection.commonArgs;
    if (host.connection.type !== 'ssh' || args === undefined) continue;
    try {
      shlexSplit(args);
    } catch (error) {
      if (!(error instanceof ShlexError)) throw error;
      problems.push({ hosts: [host.name], variable: 'ansible_ssh_common_args', message: `cannot split ${JSON.stringify(args)} into arguments: ${error.message}` });
    }
  }
  return problems;
}

/**
 * Opens the connections of one run. ssh control sockets live in a private directory (0700, short so
 * the socket path stays under the 108-byte Unix limit); close() ends every master and removes it, and
 * so does an interrupt.
 */
export class Connector {
  private controlDir?: string;
  private readonly connections = new Map<string, Connection>();
  private readonly unregister: () => void;
  private interrupted = false;

  constructor(private readonly options: ConnectOptions = {}) {
    this.unregister = onStop(() => {
      this.interrupted = true;
      return this.close(true);
    });
  }

  connect(host: PreparedHost): Connection {
    if (this.interrupted) throw new UnreachableError(interrupted);
    const deadline = this.options.timeoutSeconds !== undefined ? new Deadline(this.options.timeoutSeconds) : undefined;
    const become = becomeFor(host, this.options);
    let connection: Connection;
    if (host.connection.type === 'local') connection = new LocalConnection(host.name, become, deadline);
    else {
      // One socket per inventory host (not ssh's %C): two names for one machine get masters of their own,
      // so closing one never cuts the other.
      this.controlDir ??= mkdtempSync('/tmp/provision-ssh-');
      const { address, port, user, privateKeyFile, commonArgs } = host.connection;
      const target = { address, port, user, privateKeyFile, commonArgs: commonArgs === undefined ? [] : shlexSplit(commonArgs) };
      const policy = {
        controlPath: join(this.controlDir, `h${this.connections.size}`),
        hostKeyChecking: hostKeyCheckingFor(host, this.options),
        connectTimeoutSeconds: Math.max(1, Math.ceil(this.options.timeoutSeconds ?? defaultConnectTimeoutSeconds)),
      };
      connection = new SshConnection(host.name, target, policy, become, deadline);
    }
    this.connections.set(host.name, connection);
    return connection;
  }

  /** The private directory of the control sockets (once an ssh connection was made, until close). */
  get controlDirectory(): string | undefined {
    return this.controlDir;
  }

  /** Scripts run on the host so far (each one is a round trip). */
  roundTrips(hostName: string): number {
    return this.connections.get(hostName)?.roundTrips ?? 0;
  }

  /**
   * Ends every connection's master and removes the control directory. Safe to call twice. After an
   * interrupt (`stopScripts`), scripts still running on hosts are stopped first.
   */
  async close(stopScripts = false): Promise<void> {
    await Promise.allSettled([...this.connections.values()].map((c) => (stopScripts ? c.stop() : c.close())));
    if (this.controlDir) rmSync(this.controlDir, { recursive: true, force: true });
    this.controlDir = undefined;
    this.unregister();
  }
}
