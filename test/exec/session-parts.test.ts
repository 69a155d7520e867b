/** What ReifySessions sends across the shuffle, and its coder (runners/exec/session-parts.ts). */
import { describe, expect, it } from 'vitest';
import { coderFromSpec } from '../../sdk/coders/registry.js';
import { ByteReader, ByteWriter, Coders, IntervalWindowCoder } from '../../sdk/coders/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { SESSION_PARTS_CODER_URN, SessionParts, SessionPartsCoder } from '../../runners/exec/session-parts.js';
import { Instant } from '../../sdk/time/instant.js';

const coder = new SessionPartsCoder(Coders.json(), IntervalWindowCoder.INSTANCE as never);

function parts(entries: readonly (readonly [number, number, number, unknown])[]): SessionParts {
  const p = new SessionParts();
  for (const [start, end, stamp, value] of entries) p.push(start, end, stamp, value);
  return p;
}

function roundTrip(p: SessionParts): { bytes: Uint8Array; back: SessionParts } {
  const w = new ByteWriter();
  coder.encode(p, w);
  const bytes = w.finish();
  const r = new ByteReader(bytes);
  const back = coder.decode(r);
  expect(r.remaining).toBe(0);
  return { bytes, back };
}

const plain = (p: SessionParts) => ({ starts: p.starts, ends: p.ends, stamps: p.stamps, values: p.values, earliest: p.earliest });

describe('session parts', () => {
  it('round-trips in the compact layout: starts out of order, timestamps before or after the start, any value', () => {
    const p = parts([
      [1_800_000, 3_600_000, 1_800_000, 1],
      [60_000, 1_860_000, 60_000, 'x'],
      [-5_000, 1_795_000, -7_000, { a: [1, 2] }],
      [2 ** 51 - 10, 2 ** 51, 2 ** 51 - 10, null],
      [-(2 ** 51), -(2 ** 51) + 1, -(2 ** 51) + 1, 2.5],
    ]);
    const { bytes, back } = roundTrip(p);
    expect(bytes[0]).toBe(0x00);
    expect(plain(back)).toEqual(plain(p));
    expect(back.earliest).toBe(-(2 ** 51) + 1);
  });

  it('a raw event of a 30-minute session within a day takes 9 bytes or fewer (a Beam windowed value of it took 26)', () => {
    const p = parts(Array.from({ length: 100 }, (_, i) => [i * 700_000, i * 700_000 + 1_800_000, i * 700_000, 1] as const));
    const { bytes, back } = roundTrip(p);
    expect(plain(back)).toEqual(plain(p));
    expect(bytes.length).toBeLessThanOrEqual(2 + 100 * 9);
  });

  it("falls back to Beam's windowed layout for instants the compact one cannot hold exactly (Beam's bounds)", () => {
    const p = parts([
      [0, 10, 5, 'a'],
      [Instant.MIN, Instant.MIN + 2 ** 20, Instant.MIN, 'b'],
      [Instant.MAX - 2 ** 20, Instant.MAX, Instant.MAX - 2 ** 20, 'c'],
    ]);
    const { bytes, back } = roundTrip(p);
    expect(bytes[0]).toBe(0x01);
    expect(plain(back)).toEqual(plain(p));
    expect(roundTrip(new SessionParts()).back.length).toBe(0);
  });

  it('is registered for the harness, which rebuilds it from the submitted proto; bad bytes are named', () => {
    const rebuilt = coderFromSpec(SESSION_PARTS_CODER_URN, [Coders.json(), coderFromSpec(CoderUrns.INTERVAL_WINDOW)]);
    expect(rebuilt).toBeInstanceOf(SessionPartsCoder);
    expect(() => coder.decode(new ByteReader(Uint8Array.of(0x07, 0x00)))).toThrow(/malformed session parts: layout 7/);
    expect(() => coder.decode(new ByteReader(Uint8Array.of(0x00, 0x02, 0x00)))).toThrow(RangeError);
  });
});
