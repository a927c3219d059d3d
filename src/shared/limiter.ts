/**
 * Caps how many tasks run at once. The usage client wraps every HTTP request in one limiter, so `--concurrency` bounds
 * requests in flight for the whole command, whatever mix of paging, listing and revoking is going on.
 */
export type Limiter = {
  readonly active: number;
  readonly queued: number;
  run<T>(task: () => Promise<T>): Promise<T>;
};

export function createLimiter(concurrency: number): Limiter {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
  }
  let active = 0;
  const waiting: Array<() => void> = [];

  // A finishing task hands its slot straight to the next waiter, so a newcomer can never slip in between.
  const release = (): void => {
    const next = waiting.shift();
    if (next) next();
    else active--;
  };

  return {
    async run<T>(task: () => Promise<T>): Promise<T> {
      if (active >= concurrency) {
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        active++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    get active(): number {
      return active;
    },
    get queued(): number {
      return waiting.length;
    },
  };
}

/**
 * Runs `worker` over `items` with at most `concurrency` running, in input order, and starts no new item once
 * `shouldStop` says so (a limit reached, Ctrl-C). Inventory and revocation both schedule their work through this.
 * Returns how many items were started.
 */
export async function runPool<T>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
  shouldStop: () => boolean = (): boolean => false
): Promise<number> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length && !shouldStop()) {
      const index = next++;
      // Each lane works through its share one item at a time; the lanes themselves run in parallel.
      // eslint-disable-next-line no-await-in-loop
      await worker(items[index], index);
    }
  });
  await Promise.all(lanes);
  return next;
}
