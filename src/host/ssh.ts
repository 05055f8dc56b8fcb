import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { shquote } from './script.js';
import type { Become } from './become.js';
import { becomeFailure, scriptCommand } from './become.js';
import { lastLines } from './last-lines.js';
import type { Deadline } from './process.js';
import { runProcess } from './process.js';
import type { SshPolicy, SshTarget } from './ssh-args.js';
import { displayAddress, sshOptions } from './ssh-args.js';
import type { Connection, ScriptResult } from './types.js';
import { interrupted, UnreachableError } from './types.js';

/** How long an interrupt waits for a script in transfer to announce its process group. */
const announceWaitMs = 3000;

/**
 * A control command (`-O exit`, the kill of a stopped script) through execa, as ever; imported on
 * first use, so a run that opens no master (`status`) never pays for its import.
 */
async function quietly([file, ...args]: string[], input?: string): Promise<void> {
  const { execa } = await import('execa');
  await execa(file!, args, { ...(input === undefined ? { stdin: 'ignore' as const } : { input }), reject: false, timeout: 10_000 });
}

/** ssh's own exit status for "could not connect / lost the connection" (else it is the remote command's). */
const sshFailed = 255;

/** ssh's complaint, turned into what the user should do about it. */
export function describeSshFailure(host: string, target: SshTarget, stderr: string): string {
  const { shown, knownHostsName } = displayAddress(target);
  const keyscan = `ssh-keyscan${target.port !== undefined && target.port !== 22 ? ` -p ${target.port}` : ''} ${target.address}`;
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/.test(stderr)) {
    return (
      `the host key of ${host} (${shown}) does not match the one in known_hosts: ssh refuses to connect ` +
      `(a reinstalled host, or someone in between). If the change is expected, remove the old key ` +
      `(ssh-keygen -R '${knownHostsName}') and add the new one (${keyscan} >> ~/.ssh/known_hosts, after checking its fingerprint)`
    );
  }
  if (/Host key verification failed/.test(stderr)) {
    return (
      `the host key of ${host} (${shown}) is not known and host key checking is strict: add it to known_hosts ` +
      `(${keyscan} >> ~/.ssh/known_hosts, after checking its fingerprint), or let provision trust a new host's key ` +
      `on first use with --host-key-checking accept-new (or provision_host_key_checking: accept-new for this host)`
    );
  }
  const detail = lastLines(stderr, 3);
  return `ssh to ${host} (${shown}) failed${detail ? `: ${detail}` : ' (exit 255)'}`;
}

/**
 * The system OpenSSH client: ~/.ssh/config, the agent, ProxyJump and known_hosts work as for `ssh`.
 * The first script opens a control master (ControlMaster=auto); the others reuse it; close() ends it.
 */
export class SshConnection implements Connection {
  roundTrips = 0;
  /** process group of the script running on the host now, once it has announced it (undefined if it ends first) */
  private remoteGroup?: Promise<number | undefined>;
  private stopped = false;
  private readonly options: string[];
  private readonly command: string;

  constructor(
    private readonly host: string,
    private readonly target: SshTarget,
    private readonly policy: SshPolicy,
    private readonly become: Become | undefined,
    private readonly deadline: Deadline | undefined,
  ) {
    this.options = sshOptions(target, policy);
    // Constant: scripts and file contents travel on stdin, never on this line.
    this.command = scriptCommand(become).map(shquote).join(' ');
  }

  async run(script: string): Promise<ScriptResult> {
    if (this.stopped) throw new UnreachableError(interrupted);
    this.roundTrips++;
    let announced!: (pgid: number | undefined) => void;
    this.remoteGroup = new Promise((resolve) => (announced = resolve));
    const result = await runProcess('ssh', [...this.options, '--', this.target.address, this.command], script, this.deadline, {
      onProcessGroup: announced,
      onTimeout: () => this.stop(),
    }).finally(() => {
      announced(undefined);
      this.remoteGroup = undefined;
    });
    if (result.exitCode === sshFailed) throw new UnreachableError(describeSshFailure(this.host, this.target, result.stderr));
    if (result.signal) throw new UnreachableError(`ssh to ${this.host} was stopped (${result.signal})`);
    const refused = becomeFailure(result, this.host, this.target.user ?? 'the ssh user', this.become);
    if (refused) throw refused;
    return result;
  }

  /**
   * Stops the script running on the host, then ends the connection: OpenSSH does not signal a remote
   * command without a terminal when its connection ends, so its process group is sent SIGTERM (the
   * apply script then removes its temp files) through the still open master, as the same user
   * (without a master, `status`'s, over a new connection: its script only reads).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    // A script still being sent announces itself once it is whole (a part of one never runs).
    const group = this.remoteGroup && (await Promise.race([this.remoteGroup, sleep(announceWaitMs, undefined, { ref: false })]));
    if (group !== undefined) {
      const kill = `kill -TERM -${group} 2>/dev/null; exit 0\n`;
      await quietly(['ssh', ...this.options, '--', this.target.address, this.command], kill);
    }
    await this.close();
  }

  /** Ends the control master (and with it the connection); nothing to do when none was opened. */
  async close(): Promise<void> {
    if (this.policy.controlPath === undefined || !existsSync(this.policy.controlPath)) return;
    await quietly(['ssh', ...this.options, '-O', 'exit', '--', this.target.address]);
  }
}
