import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { HostAddress } from '../model/host-address.js';
import { becomeFor } from './become.js';
import { onStop } from './children.js';
import { LocalConnection } from './local.js';
import { Deadline } from './process.js';
import { shlexSplit } from '../model/shlex.js';
import { SshConnection } from './ssh.js';
import type { Connection, ConnectOptions } from './types.js';
import { interrupted, UnreachableError } from './types.js';

/** ssh's ConnectTimeout without --timeout (Ansible's default timeout). */
const defaultConnectTimeoutSeconds = 10;

/** A host to connect to: its inventory name (for messages and its control socket) and its address. */
export interface HostToReach {
  name: string;
  connection: HostAddress;
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

  connect(host: HostToReach): Connection {
    if (this.interrupted) throw new UnreachableError(interrupted);
    const deadline = this.options.timeoutSeconds !== undefined ? new Deadline(this.options.timeoutSeconds) : undefined;
    const become = becomeFor(host.connection, this.options);
    let connection: Connection;
    if (host.connection.type === 'local') connection = new LocalConnection(host.name, become, deadline);
    else {
      // One socket per inventory host (not ssh's %C): two names for one machine get masters of their own,
      // so closing one never cuts the other.
      const multiplex = this.options.multiplex ?? true;
      if (multiplex) this.controlDir ??= mkdtempSync('/tmp/provision-ssh-');
      const { address, port, user, privateKeyFile, commonArgs } = host.connection;
      const target = { address, port, user, privateKeyFile, commonArgs: commonArgs === undefined ? [] : shlexSplit(commonArgs) };
      const policy = {
        controlPath: multiplex ? join(this.controlDir!, `h${this.connections.size}`) : undefined,
        // The host's own setting over --host-key-checking over `yes`.
        hostKeyChecking: host.connection.hostKeyChecking ?? this.options.hostKeyChecking ?? 'yes',
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
