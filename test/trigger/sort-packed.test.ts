/** The due timers' key sort (timer-heap.ts takeDue): the same order as a comparison sort, for
 *  spread, bunched and extreme keys. */
import { describe, expect, it } from 'vitest';
import { sortPackedInto } from '../../runners/exec/windowing/sort-packed.js';
import { prng } from '../prng.js';

function check(values: number[], max: number): void {
  const src = Float64Array.from(values);
  const before = src.slice();
  const dst = new Float64Array(src.length);
  sortPackedInto(src, max, dst);
  expect(Array.from(dst)).toEqual(Array.from(before).sort((a, b) => a - b));
  expect(src).toEqual(before); // the input is left as it was
}

describe('sortPackedInto', () => {
  it('sorts keys spread over their range', () => {
    const random = prng(1);
    const max = 86_400_000 * 65_536 - 1;
    check(Array.from({ length: 50_000 }, () => Math.floor(random() * (max + 1))), max);
  });

  it('sorts keys bunched into a few slices (the engine sort takes the big ones)', () => {
    const random = prng(2);
    const max = 2 ** 50;
    const values = Array.from({ length: 20_000 }, (_, i) => (i % 10 === 0 ? Math.floor(random() * max) : 1000 + Math.floor(random() * 5000)));
    values.push(max, 0);
    check(values, max);
  });

  it('sorts repeated keys, keys at the ends of the safe range, and tiny inputs', () => {
    const top = Number.MAX_SAFE_INTEGER;
    check([top, 0, top - 1, 5, 5, 5, top, 1], top);
    check([7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 3], 7);
    check([0], 0);
    check([], 0);
    const random = prng(3);
    check(Array.from({ length: 999 }, () => Math.floor(random() * 40)), 39);
  });
});
