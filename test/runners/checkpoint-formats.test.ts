/**
 * Golden bytes for the checkpoint record formats, worked out from the layouts documented in
 * reducer-snapshot.ts, group-snapshot.ts and scope-snapshot.ts (doubles are IEEE 754
 * big-endian; user values go through Beam's standard coders). A checkpoint written before a
 * change must restore after it: a format whose bytes change needs a new format name (`...v2`) and a
 * golden table beside the old one, which stays for the reader. The tests fail until both exist.
 */
import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter, Coders, type Coder } from '../../sdk/coders/index.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { Duration, Instant } from '../../sdk/time/instant.js';
import { GROUP_FORMAT, groupCodec, readGlobalGroups, writeGlobalGroups } from '../../runners/exec/windowing/group-snapshot.js';
import { KeyedWindowReducer } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { REDUCER_FORMAT, type ReducerCodec } from '../../runners/exec/windowing/reducer-snapshot.js';
import { STATEFUL_FORMAT, readStatefulSnapshot, writeStatefulSnapshot } from '../../runners/exec/state/scope-snapshot.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/** Doubles used below, big-endian. */
const D = {
  MIN: 'c340624dd2f1a9fc', // Instant.MIN = -9223372036854775 (nearest double)
  ZERO: '0000000000000000',
  MINUS_ONE: 'bff0000000000000',
  FIVE: '4014000000000000',
  NINE: '4022000000000000',
  SEVEN: '401c000000000000',
  THOUSAND: '408f400000000000',
  ONE: '3ff0000000000000',
  TEN: '4024000000000000',
  NAN: '7ff8000000000000',
};

const codec = groupCodec(
  'G',
  { key: Coders.string() as Coder<unknown>, accumulator: Coders.iterable(Coders.varint()) as Coder<unknown>, values: true },
  Coders.intervalWindow() as Coder<BoundedWindow>,
  (k) => k as string,
);

describe('checkpoint record formats: golden bytes per format version', () => {
  it('the format names are the ones the goldens below are for', () => {
    expect([GROUP_FORMAT, REDUCER_FORMAT, STATEFUL_FORMAT]).toEqual(['tributary.group.v1', 'tributary.reducer.v1', 'tributary.stateful.v1']);
  });

  it('tributary.group.global.v1: fired flag, key count, then each key and accumulator', () => {
    const s = writeGlobalGroups([{ key: 'a', acc: [3] }, { key: 'bc', acc: [300, 1] }], true, codec);
    expect(s.format).toBe('tributary.group.global.v1');
    expect(hex(s.bytes)).toBe(
      '01' + // fired
        '02' + // two groups
        '0161' + '00000001' + '03' + // "a" (nested string: varint length), [3] (iterable: int32 count, varints)
        '026263' + '00000002' + 'ac02' + '01', // "bc", [300, 1]
    );
    const back: Array<[unknown, unknown]> = [];
    expect(readGlobalGroups(s, codec, 'G', (k, a) => back.push([k, a]))).toBe(true);
    expect(back).toEqual([['a', [3]], ['bc', [300, 1]]]);
  });

  it('tributary.reducer.v1: header of 8 doubles, the dirty list, a bucket window, END', () => {
    const r = new KeyedWindowReducer<string, number, number[], number[]>({
      strategy: WindowingStrategy.of(FixedWindows.of(Duration.millis(10))),
      aggregation: { create: () => [], add: (a, v) => (a.push(v), a), merge: (x) => x.flat(), extract: (a) => a },
      emit: () => undefined,
    });
    r.processElement('a', 'a', 3, Instant.ofEpochMillis(1), FixedWindows.of(Duration.millis(10)).assignWindows(Instant.ofEpochMillis(1)));
    r.finishBundle();
    const s = r.snapshot(codec as unknown as ReducerCodec<string, number[]>);
    expect(s.format).toBe('tributary.reducer.v1');
    expect(hex(s.bytes)).toBe(
      D.MIN + D.MIN + // input and output watermarks: nothing seen yet
        D.ZERO + // processing time (the epoch)
        D.ZERO + // next window sequence number (a bucket window takes none)
        D.MINUS_ONE + // pending span: no deferred sessions
        D.ZERO + D.ZERO + D.ZERO + // droppedLate, droppedClosed, panes
        '00' + // no dirty windows
        '01' + // BUCKET
        '0161' + '00000001' + '03' + // key "a", accumulator [3]
        D.NINE + D.ZERO + // max timestamp 9, start 0
        '00' + // no window object (an interval window is its two numbers)
        '00', // END
    );
  });

  const listReducer = (strategy: WindowingStrategy) =>
    new KeyedWindowReducer<string, number, number[], number[]>({
      strategy,
      aggregation: { create: () => [], add: (a, v) => (a.push(v), a), merge: (x) => x.flat(), extract: (a) => a },
      emit: () => undefined,
    });

  it('tributary.reducer.v1: a session key mapped to its one window (default path, no extras)', () => {
    const sessions = Sessions.withGapDuration(Duration.millis(10));
    const r = listReducer(WindowingStrategy.of(sessions));
    r.processElement('a', 'a', 3, Instant.ofEpochMillis(1), sessions.assignWindows(Instant.ofEpochMillis(1)));
    r.finishBundle();
    const s = r.snapshot(codec as unknown as ReducerCodec<string, number[]>);
    expect(hex(s.bytes)).toBe(
      D.MIN + D.MIN + D.ZERO + // watermarks, processing time
        D.ONE + // next sequence number: the window took 0
        D.MINUS_ONE + // pending span: the key's first element made its window directly
        D.ZERO + D.ZERO + D.ZERO + // counters
        '00' + // no dirty windows
        '02' + // KEY
        '00' + // layout: alone (the key maps to its one window)
        '00' + // not linear, no more than one window
        '0161' + // key "a"
        '01' + '00' + // one active window, no tombstones
        '11' + // window bits: accumulator (1) and event timer (16)
        D.ZERO + D.TEN + D.ONE + // seq 0, max timestamp 10, start 1: the session [1, 11)
        '09' + // flags: alive (8), holds data (1)
        D.TEN + // event timer at the window's end
        '00000001' + '03' + // accumulator [3]
        '00', // END
    );
  });

  it('tributary.reducer.v1: a window off the default path (lateness): extras and a hold', () => {
    const fixed = FixedWindows.of(Duration.millis(10));
    const r = listReducer(WindowingStrategy.of(fixed, { allowedLateness: Duration.millis(5) }));
    r.processElement('a', 'a', 3, Instant.ofEpochMillis(1), fixed.assignWindows(Instant.ofEpochMillis(1)));
    r.finishBundle();
    const s = r.snapshot(codec as unknown as ReducerCodec<string, number[]>);
    expect(hex(s.bytes)).toBe(
      D.MIN + D.MIN + D.ZERO + D.ONE + D.MINUS_ONE + D.ZERO + D.ZERO + D.ZERO + '00' +
        '02' + // KEY
        '03' + // layout: a key state with one window inline
        '00' + '0161' + '01' + '00' +
        '53' + // window bits: accumulator (1), extras (2), event timer (16), hold (64)
        D.ZERO + D.NINE + D.ZERO + // seq 0, [0, 10)
        '09' + // alive, holds data
        D.NINE + // event timer: the window's end
        D.NINE + // in the hold heap at 9 (END_OF_WINDOW)
        '00000001' + '03' + // accumulator [3]
        D.NINE + // element hold 9
        D.NAN + // no end-of-window or garbage-collection hold yet
        D.ZERO + D.MINUS_ONE + // pane index 0, no on-time pane yet
        '00', // END (no window object, no trigger state)
    );
  });

  it('tributary.stateful.v1: header of 3 doubles, then the scopes', () => {
    const s = writeStatefulSnapshot({ inputWatermark: 5, now: 1000, seq: 7 }, [], [], { owner: 'S', key: Coders.string() as Coder<unknown>, window: Coders.intervalWindow() as Coder<BoundedWindow>, cells: [] });
    expect(s.format).toBe('tributary.stateful.v1');
    expect(hex(s.bytes)).toBe(D.FIVE + D.THOUSAND + D.SEVEN + '00');
    const back = readStatefulSnapshot(s, { owner: 'S', key: Coders.string() as Coder<unknown>, window: Coders.intervalWindow() as Coder<BoundedWindow>, cells: [] });
    expect(back.clock).toEqual({ inputWatermark: 5, now: 1000, seq: 7 });
    expect(back.scopes).toEqual([]);
  });

  it('the byte helpers the formats are made of: big-endian doubles, base-128 varints', () => {
    const w = new ByteWriter();
    w.writeDouble(9);
    w.writeVarInt(300);
    expect(hex(w.finish())).toBe(D.NINE + 'ac02');
    const r = new ByteReader(Buffer.from(D.NINE + 'ac02', 'hex'));
    expect([r.readDouble(), r.readVarInt()]).toEqual([9, 300]);
  });
});
