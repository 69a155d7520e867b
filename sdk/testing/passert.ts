/**
 * Assertions that run inside the pipeline, so they hold on every runner, including one whose
 * workers are other processes: the collected contents are checked by a DoFn, a mismatch fails the
 * job, and each passing check bumps the `tributary/passertSuccess` counter — which the test then
 * compares with the number of assertions, so an assertion that never ran cannot pass.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform } from '../graph/ptransform.js';
import { Metrics } from '../metrics/metrics.js';
import { Combine } from '../transforms/combine.js';
import { toListFn } from '../transforms/combiners.js';
import { DoFn } from '../transforms/dofn.js';
import { ParDo } from '../transforms/pardo.js';
import { TributaryError } from '../errors.js';
import { Window } from '../transforms/window.js';
import { DefaultTrigger } from '../trigger/default.js';
import { GlobalWindows } from '../window/global.js';

export class PAssertionError extends TributaryError {}

export const PASSERT_SUCCESS_COUNTER = 'passertSuccess';

class CheckFn<T> extends DoFn<T[], never> {
  private readonly success = Metrics.counter('tributary', PASSERT_SUCCESS_COUNTER);
  constructor(
    readonly description: string,
    readonly check: (actual: T[]) => void,
  ) {
    super();
  }
  process(actual: T[]): void {
    this.check(actual);
    this.success.inc();
  }
}

class Assertion<T> extends PTransform<PCollection<T>, void> {
  constructor(
    private readonly description: string,
    private readonly check: (actual: T[]) => void,
  ) {
    super('PAssert');
  }
  expand(input: PCollection<T>): void {
    // Every pane of every window, gathered into one check at the end of input.
    const collected = input
      .apply('GlobalWindow', Window.into<T>(GlobalWindows.of()).triggering(DefaultTrigger.of()).discardingFiredPanes())
      .apply('Collect', Combine.globally(toListFn<T>()));
    collected.apply('Check', ParDo.of(new CheckFn<T>(this.description, this.check)));
  }
}

/** A stable text form for sorting and messages: object keys sorted. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) => {
    if (val && typeof val === 'object' && !Array.isArray(val) && !(val instanceof Map) && !(val instanceof Set)) {
      return Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    if (typeof val === 'bigint') return `${val}n`;
    if (typeof val === 'number' && !Number.isFinite(val)) return String(val);
    return val;
  });
}

export function sameMultiset<T>(actual: readonly T[], expected: readonly T[]): boolean {
  if (actual.length !== expected.length) return false;
  const a = [...actual].sort((x, y) => cmp(canonical(x), canonical(y)));
  const e = [...expected].sort((x, y) => cmp(canonical(x), canonical(y)));
  return a.every((v, i) => isDeepStrictEqual(v, e[i]));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function summary(values: readonly unknown[]): string {
  const shown = values.slice(0, 20).map(canonical).join(', ');
  return `[${shown}${values.length > 20 ? `, ... (${values.length} in all)` : ''}]`;
}

export class PAssertion<T> {
  constructor(
    private readonly pc: PCollection<T>,
    private readonly name: string | undefined,
  ) {}

  private apply(description: string, check: (actual: T[]) => void): void {
    const t = new Assertion<T>(description, check);
    if (this.name) this.pc.apply(this.name, t);
    else this.pc.apply(t);
  }

  /** The PCollection holds exactly these elements, in any order. */
  containsInAnyOrder(expected: readonly T[]): void {
    const name = this.pc.name;
    this.apply('containsInAnyOrder', (actual) => {
      if (!sameMultiset(actual, expected)) {
        throw new PAssertionError(`PAssert on ${name}: expected ${summary(expected)} in any order, got ${summary(actual)}`);
      }
    });
  }

  isEmpty(): void {
    this.containsInAnyOrder([]);
  }

  /** Runs `check` on all elements; it throws to fail. */
  satisfies(check: (actual: T[]) => void): void {
    this.apply('satisfies', check);
  }
}

export const PAssert = {
  that<T>(pc: PCollection<T>, name?: string): PAssertion<T> {
    return new PAssertion(pc, name);
  },
};
