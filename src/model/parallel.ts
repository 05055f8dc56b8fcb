/**
 * Runs `work` on every item, at most `limit` at a time, in item order as workers free up (the pool of
 * --forks, and of `validate`'s hosts). Rejects with the first error `work` throws.
 */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
