/** KRaft cluster ids for `kafka-storage format -t <id>`: one starting with '-' is read as a flag
 *  (a broker start failed so in a clean-clone CI run, once in 64 ids). */
import { describe, expect, it } from 'vitest';
import { clusterId } from '../../engines/kafka.js';

describe('clusterId', () => {
  it('is 22 base64url characters and never starts with "-"', () => {
    const ids = Array.from({ length: 5000 }, clusterId);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
