import type { ResultPromise } from 'execa';

// Every process a connection starts, so an interrupt can be passed on to exactly those PIDs and we can
// wait for their clean-up traps before exiting.
const running = new Set<ResultPromise>();

export function track(child: ResultPromise): ResultPromise {
  running.add(child);
  const forget = () => running.delete(child);
  child.then(forget, forget);
  return child;
}

/** Sends `signal` to every running child and resolves when all have ended. */
export async function stopChildren(signal: NodeJS.Signals): Promise<void> {
  const children = [...running];
  for (const child of children) child.kill(signal);
  await Promise.allSettled(children);
}
