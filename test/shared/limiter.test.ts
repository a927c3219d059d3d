import { expect } from 'chai';
import { SfError } from '@salesforce/core';
import { createLimiter, runPool, runPoolInOrder } from '../../src/common/limiter.js';
import { deferred, expectRejection, rejectionOf, tick, type Deferred } from './fakeTransport.js';

describe('limiter: createLimiter', () => {
  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => createLimiter(0)).to.throw(RangeError);
    expect(() => createLimiter(-1)).to.throw(RangeError);
    expect(() => createLimiter(1.5)).to.throw(RangeError);
  });

  it('never runs more than N tasks at once', async () => {
    const limiter = createLimiter(3);
    const gates: Array<Deferred<void>> = [];
    let running = 0;
    let peak = 0;
    const all = Array.from({ length: 10 }, () =>
      limiter.run(async () => {
        running++;
        peak = Math.max(peak, running);
        const gate = deferred();
        gates.push(gate);
        await gate.promise;
        running--;
      })
    );
    await tick(3);
    expect(running).to.equal(3);
    expect(limiter.active).to.equal(3);
    expect(limiter.queued).to.equal(7);
    while (gates.length > 0) {
      gates.shift()!.resolve();
      // eslint-disable-next-line no-await-in-loop
      await tick(3);
      expect(running).to.be.at.most(3);
    }
    await Promise.all(all);
    expect(peak).to.equal(3);
    expect(limiter.active).to.equal(0);
    expect(limiter.queued).to.equal(0);
  });

  it('hands a freed slot to waiters in FIFO order, before a newcomer', async () => {
    const limiter = createLimiter(1);
    const started: string[] = [];
    const first = deferred();
    const p1 = limiter.run(async () => {
      started.push('a');
      await first.promise;
    });
    const p2 = limiter.run(async () => {
      started.push('b');
    });
    const p3 = limiter.run(async () => {
      started.push('c');
    });
    await tick();
    expect(started).to.deep.equal(['a']);
    first.resolve();
    const p4 = limiter.run(async () => {
      started.push('d');
    });
    await Promise.all([p1, p2, p3, p4]);
    expect(started).to.deep.equal(['a', 'b', 'c', 'd']);
  });

  it('releases the slot when a task fails, and passes the error on', async () => {
    const limiter = createLimiter(1);
    const failing = limiter.run(async () => {
      await tick();
      throw new Error('boom');
    });
    const next = limiter.run(async () => 'ran');
    const caught = await rejectionOf(failing);
    expect((caught as Error).message).to.equal('boom');
    expect(await next).to.equal('ran');
    expect(limiter.active).to.equal(0);
  });

  it('releases the slot when a task throws synchronously', async () => {
    const limiter = createLimiter(1);
    const failing = limiter.run((): Promise<void> => {
      throw new Error('sync');
    });
    const caught = await rejectionOf(failing);
    expect((caught as Error).message).to.equal('sync');
    expect(await limiter.run(async () => 7)).to.equal(7);
  });
});

describe('limiter: runPool', () => {
  it('runs every item once with at most N in flight and returns the count started', async () => {
    let running = 0;
    let peak = 0;
    const seen: number[] = [];
    const started = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      running++;
      peak = Math.max(peak, running);
      await tick(item % 3);
      seen.push(item);
      running--;
    });
    expect(started).to.equal(7);
    expect(peak).to.equal(3);
    expect([...seen].sort()).to.deep.equal([1, 2, 3, 4, 5, 6, 7]);
  });

  it('starts items in input order and passes each index', async () => {
    const starts: Array<[string, number]> = [];
    await runPool(['a', 'b', 'c', 'd', 'e'], 2, async (item, index) => {
      starts.push([item, index]);
      await tick(index === 0 ? 5 : 1);
    });
    expect(starts).to.deep.equal([
      ['a', 0],
      ['b', 1],
      ['c', 2],
      ['d', 3],
      ['e', 4],
    ]);
  });

  it('starts no new item once shouldStop says so', async () => {
    const started: number[] = [];
    const count = await runPool(
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      1,
      async (item) => {
        started.push(item);
        await tick();
      },
      () => started.length >= 4
    );
    expect(count).to.equal(4);
    expect(started).to.deep.equal([0, 1, 2, 3]);
  });

  it('lets items in flight finish when shouldStop turns true', async () => {
    const finished: number[] = [];
    let stop = false;
    const count = await runPool(
      [0, 1, 2, 3, 4, 5],
      2,
      async (item) => {
        if (item === 1) stop = true;
        await tick(2);
        finished.push(item);
      },
      () => stop
    );
    expect(count).to.equal(2);
    expect([...finished].sort()).to.deep.equal([0, 1]);
  });

  it('starts nothing when shouldStop is true from the start, or when there are no items', async () => {
    let calls = 0;
    const worker = async (): Promise<void> => {
      calls++;
      await tick();
    };
    expect(await runPool([1, 2, 3], 2, worker, () => true)).to.equal(0);
    expect(await runPool([], 4, worker)).to.equal(0);
    expect(calls).to.equal(0);
  });
});

describe('limiter: runPoolInOrder', () => {
  /** Items whose work waits for its gate, opened by the test in any order. */
  function gated(count: number): { gates: Array<Deferred<void>>; started: number[]; work: (item: number) => Promise<string> } {
    const gates = Array.from({ length: count }, () => deferred());
    const started: number[] = [];
    return {
      gates,
      started,
      work: async (item): Promise<string> => {
        started.push(item);
        await gates[item].promise;
        return `r${item}`;
      },
    };
  }
  const items = (count: number): number[] => Array.from({ length: count }, (_, index) => index);

  it('emits in input order whatever order the work finishes in, and holds no more than the window', async () => {
    const { gates, started, work } = gated(8);
    const emitted: string[] = [];
    const run = runPoolInOrder(items(8), 2, work, (result) => {
      emitted.push(result);
    }, { window: 3 });
    await tick(3);
    expect(started).to.deep.equal([0, 1]);
    gates[1].resolve();
    await tick(3);
    // 1 is done but waits for 0; 2 starts, 3 may not (3 items past the first not emitted).
    expect(started).to.deep.equal([0, 1, 2]);
    expect(emitted).to.deep.equal([]);
    gates[2].resolve();
    await tick(3);
    expect(started).to.deep.equal([0, 1, 2]);
    gates[0].resolve();
    await tick(5);
    expect(emitted).to.deep.equal(['r0', 'r1', 'r2']);
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    for (const gate of [...gates].reverse()) gate.resolve();
    await run;
    expect(emitted).to.deep.equal(items(8).map((item) => `r${item}`));
  });

  it('emits one result at a time: the work waits for a slow emit', async () => {
    const { gates, work } = gated(4);
    const writes: Array<Deferred<void>> = [];
    const emitted: string[] = [];
    const run = runPoolInOrder(items(4), 4, work, async (result) => {
      const write = deferred();
      writes.push(write);
      await write.promise;
      emitted.push(result);
    });
    for (const gate of gates) gate.resolve();
    await tick(5);
    expect(writes).to.have.length(1);
    while (writes.length > 0) {
      writes.shift()!.resolve();
      // eslint-disable-next-line no-await-in-loop
      await tick(3);
    }
    await run;
    expect(emitted).to.deep.equal(['r0', 'r1', 'r2', 'r3']);
  });

  it('stops starting and emitting once shouldStop says so, also items waiting for room', async () => {
    const emitted: number[] = [];
    const started: number[] = [];
    await runPoolInOrder(
      items(50),
      4,
      async (item) => {
        started.push(item);
        await tick(item % 3);
        return item;
      },
      (item) => {
        emitted.push(item);
      },
      { window: 4, shouldStop: () => emitted.length >= 5 }
    );
    expect(emitted).to.deep.equal([0, 1, 2, 3, 4]);
    expect(Math.max(...started)).to.be.below(5 + 4);
  });

  it('fails when an emit fails, and emits nothing after it', async () => {
    const emitted: number[] = [];
    const run = runPoolInOrder(
      items(10),
      3,
      async (item) => {
        await tick(10 - item);
        return item;
      },
      (item) => {
        if (item === 4) throw new SfError('disk full', 'DiskFullError');
        emitted.push(item);
      }
    );
    await expectRejection(run, 'DiskFullError');
    await tick(20);
    expect(emitted).to.deep.equal([0, 1, 2, 3]);
  });
});
