/**
 * Create: a bounded PCollection from values held by the program, as a composite of Impulse and a
 * ParDo that emits them (so it survives the trip through the proto without serializing values).
 */
import type { Coder } from '../coders/coder.js';
import type { PBegin, PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import type { Instant } from '../time/instant.js';
import { DoFn, type ProcessContext } from './dofn.js';
import { Impulse } from './impulse.js';
import { ParDo } from './pardo.js';

class EmitValuesFn<T> extends DoFn<Uint8Array, T> {
  constructor(readonly values: readonly T[]) {
    super();
  }
  // A generator, so the runner pulls values as downstream keeps up.
  *process(): Generator<T> {
    yield* this.values;
  }
}

class EmitTimestampedFn<T> extends DoFn<Uint8Array, T> {
  override allowedTimestampSkew = Infinity;
  constructor(readonly values: readonly TimestampedValue<T>[]) {
    super();
  }
  process(_: Uint8Array, ctx: ProcessContext<T>): void {
    for (const { value, timestamp } of this.values) ctx.outputWithTimestamp(value, timestamp);
  }
}

export interface TimestampedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
}

export class Create<T> extends PTransform<PBegin, PCollection<T>> {
  private constructor(
    private readonly fn: DoFn<Uint8Array, T>,
    private readonly coder: Coder<T> | undefined,
  ) {
    super('Create');
  }

  /** The given values, in the global window at the minimum timestamp. */
  static of<T>(values: Iterable<T>): Create<T> {
    return new Create<T>(new EmitValuesFn([...values]), undefined);
  }

  /** The given values at the given event timestamps. */
  static timestamped<T>(values: Iterable<TimestampedValue<T>>): Create<T> {
    return new Create<T>(new EmitTimestampedFn([...values]), undefined);
  }

  withCoder(coder: Coder<T>): Create<T> {
    return new Create<T>(this.fn, coder);
  }

  expand(input: PBegin): PCollection<T> {
    const out = input.pipeline.apply('Impulse', Impulse.create()).apply('Emit', ParDo.of(this.fn));
    return this.coder ? out.withCoder(this.coder) : out;
  }
}
