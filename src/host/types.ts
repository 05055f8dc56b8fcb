export interface ScriptResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** How bytes reach a host: the only place that touches one. Scripts travel on stdin. */
export interface Connection {
  run(script: string): Promise<ScriptResult>;
  close(): Promise<void>;
  /** Interrupt: stops a script still running on the host, then closes. */
  stop(): Promise<void>;
  /** scripts run so far: each is one round trip to the host */
  readonly roundTrips: number;
}

import type { HostKeyChecking } from '../model/host-address.js';

export type { HostKeyChecking };

/** Run-wide connection settings from the command line; a host's own settings (HostAddress) override them. */
export interface ConnectOptions {
  /** StrictHostKeyChecking for hosts without their own (default yes) */
  hostKeyChecking?: HostKeyChecking;
  /** --become: sudo for hosts without their own become setting */
  become?: boolean;
  /** --become-user: for hosts without their own become user (default root) */
  becomeUser?: string;
  /** --timeout: seconds one host's whole run may take; also ssh's ConnectTimeout */
  timeoutSeconds?: number;
  /**
   * false: no ssh control master, each script on a connection of its own. For a command that runs
   * one script per host (`status`): a master would only add a process per host and its `-O exit`.
   * Default true.
   */
  multiplex?: boolean;
}

/** Why a host is not worked on after an interrupt. */
export const interrupted = 'not run: the run was interrupted';

/** A connection-level failure; `status` says how the host is reported. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly status: 'unreachable' | 'failed',
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The host could not be reached at all (as opposed to a script failing on it). */
export class UnreachableError extends ConnectionError {
  constructor(message: string) {
    super(message, 'unreachable');
  }
}

/** Reached, but sudo would not run the scripts: the host failed and nothing was written. */
export class BecomeError extends ConnectionError {
  constructor(message: string) {
    super(message, 'failed');
  }
}
