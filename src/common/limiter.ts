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

export type InOrderOptions = {
  /**
   * How far past the first result not yet emitted an item may start. Results that finish early wait for the ones
   * before them, so this bounds what is held; more than `concurrency`, so that one slow request does not idle the rest.
   */
  window?: number;
  /** As for runPool; once it says stop it must keep saying so (a limit reached), as results after it are dropped. */
  shouldStop?: () => boolean;
};

/**
 * runPool for work whose results must come out in input order: each result goes to `emit` in item order, one emit
 * at a time, whatever order the work finishes in. An item waits to start while it is `window` or more items ahead of
 * the first result not yet emitted, so what is held stays bounded however long one item takes; `emit` can write to
 * a file at its own pace, the work waits for it.
 */
export async function runPoolInOrder<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  emit: (result: R, index: number) => Promise<void> | void,
  options: InOrderOptions = {}
): Promise<void> {
  const window = Math.max(options.window ?? concurrency * 4, concurrency);
  const shouldStop = options.shouldStop ?? ((): boolean => false);
  const finished = new Map<number, R>();
  let emitted = 0;
  let waiting: Array<() => void> = [];
  // Emits are chained, so that they never overlap; a failed emit fails every later one, and with it the run.
  let emitting: Promise<void> = Promise.resolve();
  const emitReady = async (): Promise<void> => {
    while (finished.has(emitted) && !shouldStop()) {
      const result = finished.get(emitted) as R;
      finished.delete(emitted);
      // One result at a time, in order: that is the point.
      // eslint-disable-next-line no-await-in-loop
      await emit(result, emitted);
      emitted++;
      const woken = waiting;
      waiting = [];
      for (const wake of woken) wake();
    }
  };
  await runPool(
    items,
    concurrency,
    async (item, index) => {
      // Every item before this one has started, so the first of them not yet emitted will finish and make room (or
      // the emit that made shouldStop true wakes this one to stop).
      // eslint-disable-next-line no-await-in-loop
      while (index >= emitted + window && !shouldStop()) await new Promise<void>((resolve) => waiting.push(resolve));
      if (shouldStop()) return;
      finished.set(index, await work(item, index));
      emitting = emitting.then(emitReady);
      await emitting;
    },
    shouldStop
  );
}
