import type { ResultPromise } from 'execa';

// Every process a connection starts runs in its own process group, and is remembered here, so an
// interrupt reaches exactly those processes and whatever they started (a validate command, openssl),
// and we can wait for their clean-up traps before exiting.
const running = new Set<ResultPromise>();
// What outlives a single process (ssh control masters, their private directory) is closed by these.
const cleanups = new Set<() => Promise<void>>();

export function track(child: ResultPromise): ResultPromise {
  running.add(child);
  const forget = () => running.delete(child);
  child.then(forget, forget);
  return child;
}

/** Registers `cleanup` to run when the run is interrupted; returns a function that unregisters it. */
export function onStop(cleanup: () => Promise<void>): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}

/** Sends `signal` to a process group; false when it is gone already. */
export function signalGroup(pid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends `signal` to every running child's process group, resolves when all have ended and the
 * registered clean-ups have run.
 */
export async function stopChildren(signal: NodeJS.Signals): Promise<void> {
  const children = [...running];
  for (const child of children) {
    if (!signalGroup(child.pid, signal)) child.kill(signal);
  }
  // At once, not after the children: an ssh client's pipes stay open until its control master ends.
  await Promise.allSettled([...children, ...[...cleanups].map((cleanup) => cleanup())]);
}
