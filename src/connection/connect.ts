import type { PreparedHost } from '../vars/prepare-hosts.js';
import { LocalConnection } from './local.js';
import type { Connection } from './types.js';
import { UnreachableError } from './types.js';

export function connect(host: PreparedHost): Connection {
  if (host.connection.type === 'local') return new LocalConnection();
  throw new UnreachableError(`ansible_connection ${host.connection.type} is not supported yet; this version reaches hosts with ansible_connection: local only`);
}
