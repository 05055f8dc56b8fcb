/** A child process as this module needs it: execa's, or process.ts's own (node's spawn and its end). */
export interface Tracked extends PromiseLike<unknown> {
  readonly pid?: number;
  kill(signal?: NodeJS.Signals): boolean;
}

// Every process a connection starts runs in its own process group, and is remembered here, so an
// interrupt reaches exactly those processes and whatever they started (a validate command, openssl),
// and we can wait for their clean-up traps before exiting.
const running = new Map<Tracked, { signalFirst: boolean }>();
// What a signal to a local process cannot reach (a script on an ssh host, the control masters and
// their private directory) is stopped and closed by these.
const cleanups = new Set<() => Promise<void>>();

/**
 * Remembers a child for stopChildren. `signalFirst: false` (an ssh client): its clean-up stops it,
 * by stopping the script at the other end; it is signalled only if it outlives that.
 */
export function track<T extends Tracked>(child: T, options: { signalFirst: boolean } = { signalFirst: true }): T {
  running.set(child, options);
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

function signalChild(child: Tracked, signal: NodeJS.Signals): void {
  if (!signalGroup(child.pid, signal)) child.kill(signal);
}

/**
 * Sends `signal` to every local child's process group, runs the registered clean-ups (which stop
 * scripts on ssh hosts and close the connections), signals whatever is still running, and resolves
 * when all have ended.
 */
export async function stopChildren(signal: NodeJS.Signals): Promise<void> {
  const children = [...running];
  for (const [child, options] of children) if (options.signalFirst) signalChild(child, signal);
  await Promise.allSettled([...cleanups].map((cleanup) => cleanup()));
  // Once only: a second signal would cut short the clean-up traps of the scripts signalled above.
  for (const [child, options] of children) if (!options.signalFirst && running.has(child)) signalChild(child, signal);
  await Promise.allSettled(children.map(([child]) => child));
}
