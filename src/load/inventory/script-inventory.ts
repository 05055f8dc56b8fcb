// Executable inventories, run as Ansible's script plugin runs them: `SCRIPT --list` prints the groups as
// JSON, and `SCRIPT --host H` each host's variables when the output has no `_meta.hostvars`. The script
// runs without a shell, with a time and an output bound, and only when no other account can change it
// (provision often runs as root).

import { runProgramSync } from '../../host/local-programs.js';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../model/errors.js';
import { parseListFormat } from './json-list.js';
import type { InventoryModel } from './model.js';

export interface ScriptLimits {
  timeoutMs: number;
  maxOutputBytes: number;
}

export const DEFAULT_SCRIPT_LIMITS: ScriptLimits = { timeoutMs: 60_000, maxOutputBytes: 64 * 1024 * 1024 };

/** Why another account could change what runs: the file or a directory above it. null when safe. */
export function untrustedPath(abs: string): string | null {
  const uid = process.getuid?.() ?? 0;
  let current: string;
  try {
    current = realpathSync(abs);
  } catch (e) {
    return `cannot resolve: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
  let first = true;
  for (;;) {
    const st = statSync(current);
    if (st.uid !== 0 && st.uid !== uid) return `${current} belongs to uid ${st.uid}, another account`;
    const sticky = (st.mode & 0o1000) !== 0;
    if ((st.mode & 0o022) !== 0 && (first || !sticky)) return `${current} is writable by ${st.mode & 0o002 ? 'every account' : 'its group'}`;
    first = false;
    const parent = path.dirname(current);
    if (parent === current) return null;
    current = parent;
  }
}

/** The last lines of a script's stderr, for an error message. */
function tail(stderr: Buffer | string | null): string {
  const text = (stderr ?? '').toString('utf8').trimEnd();
  if (text === '') return '';
  const lines = text.split('\n').slice(-10).join('\n').slice(-2000);
  return `\n${lines}`;
}

type RunResult = { stdout: string } | { problem: string };

function run(abs: string, args: string[], limits: ScriptLimits): RunResult {
  const result = runProgramSync(abs, args, {
    timeout: limits.timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: limits.maxOutputBytes,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const command = `\`${path.basename(abs)} ${args.join(' ')}\``;
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === 'ETIMEDOUT') return { problem: `${command} did not finish within ${limits.timeoutMs / 1000} s; stopped${tail(result.stderr)}` };
    if (code === 'ENOBUFS') return { problem: `${command} printed more than ${limits.maxOutputBytes} bytes; stopped` };
    return { problem: `cannot run ${command}: ${code ?? result.error.message}` };
  }
  if (result.signal) return { problem: `${command} was killed by ${result.signal}${tail(result.stderr)}` };
  if (result.status !== 0) return { problem: `${command} failed with exit code ${result.status}${tail(result.stderr)}` };
  try {
    return { stdout: new TextDecoder('utf-8', { fatal: true }).decode(result.stdout) };
  } catch {
    return { problem: `${command} printed bytes that are not UTF-8` };
  }
}

function parseJson(text: string, command: string): { value: unknown } | { problem: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (e) {
    return { problem: `${command} did not print JSON: ${(e as Error).message}` };
  }
}

/** Runs an inventory script and adds its groups and hosts to `model`. `file` is the name the user gave. */
export function loadScriptInventory(file: string, abs: string, model: InventoryModel, limits: ScriptLimits = DEFAULT_SCRIPT_LIMITS): Problem[] {
  const unsafe = untrustedPath(abs);
  if (unsafe) return [{ file, message: `inventory script not run: ${unsafe}; make it (and its directories) writable only by its owner (root or you)` }];
  const listed = run(abs, ['--list'], limits);
  if ('problem' in listed) return [{ file, message: listed.problem }];
  const data = parseJson(listed.stdout, '`--list`');
  if ('problem' in data) return [{ file, message: data.problem }];
  return parseListFormat(
    data.value,
    {
      file,
      where: () => ({ file, line: 1, col: 1 }),
      hostVars: (host) => {
        const got = run(abs, ['--host', host], limits);
        if ('problem' in got) return { problem: { file, hosts: [host], message: got.problem } };
        if (got.stdout.trim() === '') return { vars: {} };
        const parsed = parseJson(got.stdout, `\`--host ${host}\``);
        if ('problem' in parsed) return { problem: { file, hosts: [host], message: parsed.problem } };
        return { vars: parsed.value as Record<string, unknown> };
      },
    },
    model,
  );
}
