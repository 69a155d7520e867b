/** Grouping keys of the in-process shuffle and the precombine table (runners/exec/grouping-key.ts). */
import { describe, expect, it } from 'vitest';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import { Coders } from '../../sdk/coders/index.js';

describe('groupingKeyFn', () => {
  it('takes a length-prefixed key coder (how Beam\'s Java runners send coders they do not know) by its inner coder: string keys are used as they are, not encoded', () => {
    const keyOf = groupingKeyFn(Coders.lengthPrefix(Coders.json()), 'in');
    expect(keyOf('user1')).toBe('user1');
    expect(keyOf(7)).toBe(7);
    // Keys the inner coder encodes still group by their bytes: equal objects, one key.
    expect(keyOf({ a: 1 })).toBe(keyOf({ a: 1 }));
    expect(keyOf({ a: 1 })).not.toBe(keyOf({ a: 2 }));
  });

  it('encodes a key whose coder it has no shortcut for', () => {
    const keyOf = groupingKeyFn(Coders.lengthPrefix(Coders.bytes()), 'in');
    expect(keyOf(new Uint8Array([1, 2]))).toBe(keyOf(new Uint8Array([1, 2])));
    expect(keyOf(new Uint8Array([1, 2]))).not.toBe(keyOf(new Uint8Array([2, 1])));
  });
});
