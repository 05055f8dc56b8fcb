// What every end-to-end test does with the processes it starts: tell whether one is still running,
// stop exactly it by its PID, and wait for a condition with a deadline that names what was awaited.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Whether `pid` runs: a child killed but not reaped yet is a zombie, gone for our purposes. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Stops `pid` (TERM, KILL after 5 s) and returns once it is gone. */
export async function stopPid(pid: number | undefined): Promise<void> {
  if (pid === undefined || !alive(pid)) return;
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100 && alive(pid); i++) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  while (alive(pid)) await sleep(20);
}

/** Waits until `probe()` holds, asking every `everyMs`; throws `WHAT: not within N s` after `seconds`. */
export async function until(what: string, probe: () => boolean, seconds = 30, everyMs = 50): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${seconds} s`);
    await sleep(everyMs);
  }
}
