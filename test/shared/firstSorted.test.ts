import { expect } from 'chai';
import { firstSorted } from '../../src/common/firstSorted.js';

describe('firstSorted', () => {
  let seed = 11;
  const next = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) % n;
  /** Items with many equal keys; `id` tells equals apart, so that their order shows. */
  const items = (length: number): Array<{ key: number; id: number }> => Array.from({ length }, (_, id) => ({ key: next(7), id }));
  const byKey = (a: { key: number }, b: { key: number }): number => a.key - b.key;

  it('gives the first N of a stable sort, equals in the order they came, for any N', () => {
    for (const length of [0, 1, 5, 10, 11, 300]) {
      const all = items(length);
      for (const count of [1, 3, 10, length, length + 2]) {
        expect(firstSorted(all, count, byKey), `${count} of ${length}`).to.deep.equal([...all].sort(byKey).slice(0, count));
      }
    }
  });

  it('takes any iterable, such as a Map, once, and gives nothing for N = 0', () => {
    const map = new Map([
      ['b', 2],
      ['a', 1],
      ['c', 3],
    ]);
    expect(firstSorted(map, 2, ([, a], [, b]) => a - b)).to.deep.equal([
      ['a', 1],
      ['b', 2],
    ]);
    expect(firstSorted(map, 0, () => 0)).to.deep.equal([]);
  });
});
