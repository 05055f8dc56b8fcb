// How to reach a host: what the resolve stage makes of a host's variables (src/resolve/connection-settings.ts)
// and the connection uses, so the connection never reads an inventory variable itself.

export type HostKeyChecking = 'yes' | 'accept-new';

export interface HostAddress {
  type: 'local' | 'ssh';
  /** the machine to reach; also what ~/.ssh/config `Host` lines match */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  /** more ssh arguments, one string split as Python's shlex.split splits it */
  commonArgs?: string;
  /** the host's own choice to run the scripts through sudo; undefined: the run's --become decides */
  become?: boolean;
  becomeUser?: string;
  /** the host's own StrictHostKeyChecking; undefined: the run's --host-key-checking decides */
  hostKeyChecking?: HostKeyChecking;
}
