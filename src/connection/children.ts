import type { ResultPromise } from 'execa';

// Every process a connection starts runs in its own process group, and is remembered here, so an
// interrupt reaches exactly those processes and whatever they started (a validate command, openssl),
// and we can wait for their clean-up traps before exiting.
const running = new Set<ResultPromise>();

export function track(child: ResultPromise): ResultPromise {
  running.add(child);
  const forget = () => running.delete(child);
  child.then(forget, forget);
  return child;
}

/** Sends `signal` to every running child's process group and resolves when all have ended. */
export async function stopChildren(signal: NodeJS.Signals): Promise<void> {
  const children = [...running];
  for (const child of children) {
    if (child.pid === undefined) continue;
    try {
      process.kill(-child.pid, signal);
    } catch {
      child.kill(signal);
    }
  }
  await Promise.allSettled(children);
}
