// Become (ansible_become / --become): the scripts run through `sudo -n`, which fails instead of asking
// for a password, so a run never hangs on a prompt.
import type { HostAddress } from '../model/host-address.js';
import type { ConnectOptions, ScriptResult } from './types.js';
import { BecomeError } from './types.js';

export interface Become {
  user: string;
}

/** A host's own become settings win over --become / --become-user, as in Ansible. */
export function becomeFor(address: HostAddress, options: ConnectOptions): Become | undefined {
  const become = address.become ?? options.become ?? false;
  return become ? { user: address.becomeUser ?? options.becomeUser ?? 'root' } : undefined;
}

/** The command that reads a script on stdin and runs it: the same line for every script. */
export function scriptCommand(become: Become | undefined): string[] {
  const shell = ['env', 'LC_ALL=C', '/bin/sh', '-s'];
  return become ? ['sudo', '-n', '-u', become.user, '--', ...shell] : shell;
}

/**
 * sudo's own refusal (the script never started: no output), as an error naming the host; undefined
 * when the script ran.
 */
export function becomeFailure(result: ScriptResult, host: string, loginUser: string, become: Become | undefined): BecomeError | undefined {
  if (!become || result.stdout !== '') return undefined;
  const line = result.stderr.split('\n').find((l) => l.startsWith('sudo: '));
  if (result.exitCode === 127 && /sudo: (command )?not found|sudo: No such file/.test(result.stderr)) {
    return new BecomeError(`sudo is not installed on ${host}; become (--become / ansible_become) needs it`);
  }
  if (result.exitCode !== 1 || !line) return undefined;
  if (/password is required|terminal is required|no tty present/.test(line)) {
    return new BecomeError(
      `sudo on ${host} needs a password; provision uses sudo -n (it never prompts): give ${loginUser} passwordless sudo ` +
        `(e.g. "${loginUser} ALL=(ALL) NOPASSWD: ALL" in /etc/sudoers.d/provision), or run without --become / ansible_become`,
    );
  }
  return new BecomeError(`sudo on ${host} refused to run the script as ${become.user}: ${line.slice('sudo: '.length)}`);
}
