import { describe, expect, it } from 'vitest';
import { MicroBatcher } from '../../../src/lib/micro-batcher.js';

/** Intake's group commit: calls that arrive while a batch is being written share the next write. */
describe('MicroBatcher', () => {
  it('gathers calls made while a batch is in flight into the next batch; each caller gets its own result', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const batcher = new MicroBatcher<number, number>(
      async (items) => {
        batches.push(items);
        if (batches.length === 1) await gate;
        return items.map((i) => i * 10);
      },
      async (item) => {
        batches.push([item]);
        if (batches.length === 1) await gate;
        return item * 10;
      },
      100,
      1,
    );
    const first = batcher.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4, 5].map((i) => batcher.submit(i));
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1], [2, 3, 4, 5]]);
  });

  it('when a batch fails as a whole, tries each call on its own: one bad item fails alone', async () => {
    const batcher = new MicroBatcher<number, number>(
      async () => {
        throw new Error('constraint');
      },
      async (item) => {
        if (item === 3) throw new Error('item 3 is bad');
        return item;
      },
    );
    const results = await Promise.allSettled([1, 2, 3, 4].map((i) => batcher.submit(i)));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
  });
});
