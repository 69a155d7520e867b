/**
 * How values fold into windows' accumulators, and the count of elements the reducer holds for
 * memory accounting: a buffering aggregation (GroupByKey's list, which says how many values an
 * accumulator holds) counts values; a combining one (Combine's CombineFn) one per accumulator.
 */
import { NO_ACC, type NoAcc } from './window-state.js';

/** How values fold into a pane: GroupByKey is a list aggregation, Combine its CombineFn. */
export interface Aggregation<V, A, O> {
  create(): A;
  add(acc: A, v: V): A;
  merge(accs: A[]): A;
  extract(acc: A): O;
  /** The output of a pane whose accumulator is kept for later panes (accumulating mode): must
   *  share nothing the kept accumulator will change (absent: `extract`). */
  extractKept?(acc: A): O;
  /** How many elements `acc` holds, for memory accounting (absent: one per accumulator). */
  held?(acc: A): number;
  /** `add` also takes a `BatchRow` (exec/batches.ts): a row of a column batch where it lies. */
  readonly takesRows?: boolean;
}

export class Accumulation<V, A, O> {
  /** Elements held in accumulators (see `Aggregation.held`). */
  held = 0;
  private readonly buffers: boolean;

  constructor(readonly agg: Aggregation<V, A, O>) {
    this.buffers = agg.held !== undefined;
  }

  /** Adds `value` to the accumulator of `w` (made if it has none). */
  add(w: { acc: A | NoAcc }, value: V): void {
    w.acc = this.folded(w.acc, value);
  }

  /** `acc` with `value` added (made if NO_ACC), counted. */
  folded(acc: A | NoAcc, value: V): A {
    const agg = this.agg;
    if (acc === NO_ACC) {
      this.held++;
      return agg.add(agg.create(), value);
    }
    if (this.buffers) this.held++;
    return agg.add(acc, value);
  }

  /** A new accumulator, counted (for holders that always have one). */
  create(): A {
    if (!this.buffers) this.held++;
    return this.agg.create();
  }

  /** `agg.add`, counted (for holders that always have an accumulator). */
  addTo(acc: A, value: V): A {
    if (this.buffers) this.held++;
    return this.agg.add(acc, value);
  }

  /** One accumulator of several (NO_ACC: none). */
  merge(accs: A[]): A | NoAcc {
    return accs.length === 0 ? NO_ACC : accs.length === 1 ? accs[0]! : this.agg.merge(accs);
  }

  /** `acc` is gone (emitted and discarded, merged away, collected). */
  release(acc: A | NoAcc): void {
    this.held -= this.weigh(acc);
  }

  /** `acc` is held (the result of a merge, or back from a checkpoint). */
  count(acc: A | NoAcc): void {
    this.held += this.weigh(acc);
  }

  /** A pane's output; `kept`: the accumulator stays for later panes. */
  output(acc: A | NoAcc, kept: boolean): O {
    const agg = this.agg;
    const a = acc === NO_ACC ? agg.create() : acc;
    return kept && agg.extractKept !== undefined ? agg.extractKept(a) : agg.extract(a);
  }

  /** Elements an accumulator holds. */
  private weigh(acc: A | NoAcc): number {
    if (acc === NO_ACC) return 0;
    return this.buffers ? this.agg.held!(acc) : 1;
  }
}
