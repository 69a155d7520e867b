/** Errors a user can act on are TributaryErrors of a class that says what went wrong, with the
 *  thing at fault in a field (not only in the message text). */
import { describe, expect, it } from 'vitest';
import { Coders, OffsetRangeDoFn, OffsetRangeTracker, RestrictionClaimError, offsetRangeProblem, TransformOptionError, TributaryError } from '../../sdk/index.js';
import { CoderSpecError, KeyCoderError, RowSchemaError, coderFromSpec, decodeFromBytes, encodeToBytes, row, structuralKey } from '../../sdk/coders/index.js';
import { ParquetRead } from '../../io/parquet/index.js';
import { FileMatchError, WarehouseError, matchFiles } from '../../io/warehouse/index.js';
import { ReplayPlanError } from '../../io/kappa/index.js';
import { TokenBucket, VirtualClock } from '../../io/kappa/clock.js';
import { MemoryStorage } from '../../io/storage/index.js';
import { CheckpointRestoreError } from '../../runners/exec/snapshot-bytes.js';
import { KeyedWindowReducer } from '../../runners/exec/windowing/keyed-window-reducer.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { Duration, Instant } from '../../sdk/time/instant.js';

/** Runs `f`, which must throw; returns what it threw. */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('typed errors', () => {
  it('coder specs: CoderSpecError with the URN', () => {
    const e = thrown(() => coderFromSpec('beam:coder:nope:v1'));
    expect(e).toBeInstanceOf(CoderSpecError);
    expect(e).toBeInstanceOf(TributaryError);
    expect((e as CoderSpecError).urn).toBe('beam:coder:nope:v1');
    expect((e as Error).name).toBe('CoderSpecError');
  });

  it('a non-deterministic key coder: KeyCoderError naming the coder', () => {
    const e = thrown(() => structuralKey(Coders.double(), 1.5));
    expect(e).toBeInstanceOf(KeyCoderError);
    expect((e as KeyCoderError).coder).toBe('double');
  });

  it('a row type without fields: RowSchemaError', () => {
    const e = thrown(() => row({}));
    expect(e).toBeInstanceOf(RowSchemaError);
    expect((e as RowSchemaError).where).toBe('row(...)');
  });

  it('an out-of-order claim: RestrictionClaimError with the position', () => {
    const t = new OffsetRangeTracker({ from: 0, to: 10 });
    expect(t.tryClaim(3)).toBe(true);
    const e = thrown(() => t.tryClaim(2));
    expect(e).toBeInstanceOf(RestrictionClaimError);
    expect((e as RestrictionClaimError).position).toBe(2);
    expect((e as Error).message).toBe('offsets must be claimed in increasing order: 2 after 3');
  });

  it('an offset range that is not one: a TributaryError naming what is wrong, and the check a restore uses', () => {
    expect(() => new OffsetRangeTracker({ from: 5, to: 2 })).toThrow("OffsetRangeTracker: an offset range's start 5 is after its end 2");
    expect(() => new OffsetRangeTracker({ from: 0.5, to: 2 })).toThrow("an offset range's start must be an integer, got 0.5");
    expect(() => new OffsetRangeTracker({ from: 0, to: null as unknown as number })).toThrow("an offset range's end must be an integer or Infinity, got null");
    expect(offsetRangeProblem({ from: 0, to: Infinity })).toBeUndefined();
    expect(offsetRangeProblem('0-5')).toBe('an offset range is { from, to }, got 0-5');
    class Pages extends OffsetRangeDoFn<Uint8Array, number> {
      initialRestriction() {
        return { from: 0, to: 10 };
      }
      async process() {}
    }
    const fn = new Pages();
    expect(fn.checkRestriction({ from: 3, to: 10 })).toBeUndefined();
    expect(fn.checkRestriction({ from: 11, to: 10 })).toBe("an offset range's start 11 is after its end 10");
    // The restriction crosses a checkpoint or the wire through its coder: an endless read stays endless.
    const coder = fn.restrictionCoder();
    expect(decodeFromBytes(coder, encodeToBytes(coder, { from: 7, to: Infinity }))).toEqual({ from: 7, to: Infinity });
  });

  it('transform options: TransformOptionError naming the transform and the option', () => {
    const e = thrown(() => new ParquetRead({ paths: [] }));
    expect(e).toBeInstanceOf(TransformOptionError);
    expect((e as TransformOptionError).transform).toBe('ParquetIO.read');
    expect((e as TransformOptionError).option).toBe('paths');
    const t = thrown(() => new TokenBucket(0, new VirtualClock()));
    expect(t).toBeInstanceOf(TransformOptionError);
    expect((t as TransformOptionError).option).toBe('throttle');
  });

  it('io errors that were plain Errors are TributaryErrors with their fields', async () => {
    const storage = new MemoryStorage();
    const m = await matchFiles('mem://nothing/here/*.parquet', { storage }).catch((e: unknown) => e);
    expect(m).toBeInstanceOf(FileMatchError);
    expect(m).toBeInstanceOf(TributaryError);
    expect((m as FileMatchError).pattern).toBe('mem://nothing/here/*.parquet');
    expect(new WarehouseError('t', 'x')).toBeInstanceOf(TributaryError);
    // (test/kappa/steps.test.ts has the case that throws it)
    expect(new ReplayPlanError('x')).toBeInstanceOf(TributaryError);
  });

  it('a reducer checkpoint restored into a reducer that saw elements, or of another strategy: CheckpointRestoreError', () => {
    const make = (windowFn: FixedWindows | Sessions) =>
      new KeyedWindowReducer<string, number, number, number>({
        strategy: WindowingStrategy.of(windowFn),
        aggregation: { create: () => 0, add: (a, v) => a + v, merge: (a) => a.reduce((x, y) => x + y, 0), extract: (a) => a },
        emit: () => {},
      });
    const codec = {
      writeKey: (k: string, out: import('../../sdk/coders/index.js').ByteWriter) => Coders.string().encode(k, out, true),
      readKey: (input: import('../../sdk/coders/index.js').ByteReader) => Coders.string().decode(input, true),
      keyId: (k: string) => k,
      writeAcc: (a: number, out: import('../../sdk/coders/index.js').ByteWriter) => Coders.double().encode(a, out, true),
      readAcc: (input: import('../../sdk/coders/index.js').ByteReader) => Coders.double().decode(input, true),
      writeWindow: () => {
        throw new Error('no such window here');
      },
      readWindow: () => {
        throw new Error('no such window here');
      },
    };
    const fixed = make(FixedWindows.of(Duration.millis(10)));
    fixed.processElement('k', 'k', 1, Instant.ofEpochMillis(3), FixedWindows.of(Duration.millis(10)).assignWindows(Instant.ofEpochMillis(3)));
    const saved = fixed.snapshot(codec);
    const busy = thrown(() => fixed.restore(saved, codec, 'Sum'));
    expect(busy).toBeInstanceOf(CheckpointRestoreError);
    expect((busy as CheckpointRestoreError).operator).toBe('Sum');
    const other = thrown(() => make(Sessions.withGapDuration(Duration.millis(10))).restore(saved, codec, 'Sum'));
    expect(other).toBeInstanceOf(CheckpointRestoreError);
    expect((other as Error).message).toMatch(/taken with another windowing strategy/);
  });
});
