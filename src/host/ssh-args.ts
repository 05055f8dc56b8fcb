// The ssh command line for one host. Pure: src/host/ssh.ts runs it.
//
// ssh keeps the FIRST value it is given for an option (command line before ~/.ssh/config), so the
// order is the policy: BatchMode and the control socket are fixed; the inventory's port, user and key
// come next; the host's extra ssh arguments may then set anything else (ProxyJump, UserKnownHostsFile, even
// StrictHostKeyChecking); provision's defaults fill in what nobody set.
import type { HostKeyChecking } from './types.js';

export interface SshTarget {
  /** the machine to reach: also what ~/.ssh/config `Host` lines match */
  address: string;
  port?: number;
  user?: string;
  privateKeyFile?: string;
  /** the host's extra ssh arguments, already split */
  commonArgs: string[];
}

export interface SshPolicy {
  /** the control master's socket; undefined: no master (ControlMaster=no) */
  controlPath?: string;
  hostKeyChecking: HostKeyChecking;
  connectTimeoutSeconds: number;
}

/** How long an idle master waits for the next command before exiting on its own (it is closed at the end anyway). */
export const controlPersistSeconds = 60;

/** Options for every ssh invocation to this host (scripts and `-O exit`), without destination and command. */
export function sshOptions(target: SshTarget, policy: SshPolicy): string[] {
  return [
    '-o',
    'BatchMode=yes',
    ...(policy.controlPath === undefined
      ? ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
      : ['-o', 'ControlMaster=auto', '-o', `ControlPersist=${controlPersistSeconds}`, '-o', `ControlPath=${policy.controlPath}`]),
    ...(target.port !== undefined ? ['-p', String(target.port)] : []),
    ...(target.user !== undefined ? ['-l', target.user] : []),
    ...(target.privateKeyFile !== undefined ? ['-i', target.privateKeyFile] : []),
    ...target.commonArgs,
    '-o',
    `StrictHostKeyChecking=${policy.hostKeyChecking}`,
    '-o',
    `ConnectTimeout=${policy.connectTimeoutSeconds}`,
    // A connection that dies silently (no RST) is noticed within a minute instead of TCP's hours.
    '-o',
    'ServerAliveInterval=15',
    '-o',
    'ServerAliveCountMax=4',
  ];
}

/** `host:port` as the user would type it, for messages; `[addr]:port` as known_hosts writes it. */
export function displayAddress(target: SshTarget): { shown: string; knownHostsName: string } {
  if (target.port === undefined || target.port === 22) return { shown: target.address, knownHostsName: target.address };
  return { shown: `${target.address}:${target.port}`, knownHostsName: `[${target.address}]:${target.port}` };
}
