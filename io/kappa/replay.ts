/**
 * `KappaReplay`: the backfill source of Kappa+ (KAPPA.md). `KappaReplay.read(table, options)`
 * replays one warehouse table; `KappaReplay.group({ a: tableA, b: tableB }, options)` replays
 * several in lockstep and returns one PCollection per table. Each row's timestamp is its event
 * time; watermarks advance only at step completions, and end at +∞ when the replay ends.
 */
import { Impulse, ParDo, PipelineConstructionError, PTransform, type PBegin, type PCollection } from '../../sdk/index.js';
import { checkScheme } from '../warehouse/files.js';
import type { Row } from '../parquet/read.js';
import type { KappaReplayOptions, KappaTable, Throttle } from './options.js';
import { KappaReplayFn, type ReplaySpec } from './replay-fn.js';

export type ReplayOutputs<S extends Record<string, unknown>> = { readonly [K in keyof S]: PCollection<S[K]> };

export class KappaReplay<Out> extends PTransform<PBegin, Out> {
  private constructor(
    private readonly spec: ReplaySpec,
    name: string,
  ) {
    super(name);
    validateSpec(spec);
  }

  /** Replays one table, partition by partition. */
  static read<R = Row>(table: KappaTable, options: KappaReplayOptions = {}): KappaReplay<PCollection<R>> {
    return new KappaReplay<PCollection<R>>({ sources: [{ name: 'rows', table }], options, mainOutput: true }, 'KappaReplay');
  }

  /** Replays several tables in lockstep; the result has one PCollection per table name. */
  static group<S extends Record<string, unknown> = Record<string, Row>>(
    tables: { readonly [K in keyof S & string]: KappaTable },
    options: KappaReplayOptions = {},
  ): KappaReplay<ReplayOutputs<S>> {
    const sources = Object.entries(tables as Record<string, KappaTable>).map(([name, table]) => ({ name, table }));
    return new KappaReplay<ReplayOutputs<S>>({ sources, options, mainOutput: false }, 'KappaReplayGroup');
  }

  expand(input: PBegin): Out {
    const impulse = input.pipeline.apply('Impulse', Impulse.create());
    const fn = new KappaReplayFn(this.spec);
    if (this.spec.mainOutput) return impulse.apply('Replay', ParDo.of(fn)) as Out;
    const names = this.spec.sources.map((s) => s.name);
    const out = impulse.apply('Replay', ParDo.of(fn).withOutputTags(...names)) as unknown as Record<string, PCollection<Row>>;
    return Object.fromEntries(names.map((n) => [n, out[n]!])) as Out;
  }
}

function validateSpec(spec: ReplaySpec): void {
  const { sources, options } = spec;
  if (sources.length === 0) throw new PipelineConstructionError('KappaReplay.group needs at least one table');
  for (const { name, table } of sources) {
    if (name === 'main' || name === 'out') throw new PipelineConstructionError(`KappaReplay: "${name}" is reserved; name the table something else`);
    if (!table || typeof table.table !== 'string') throw new PipelineConstructionError(`KappaReplay: source "${name}" needs a table path`);
    checkScheme(table.table);
    if (!table.timestampColumn) throw new PipelineConstructionError(`KappaReplay: source "${name}" needs a timestampColumn (the rows' event time)`);
    for (const skew of ['forwardSkew', 'backwardSkew'] as const) {
      const v = table[skew];
      if (v !== undefined && !(Number.isFinite(v) && v >= 0)) throw new PipelineConstructionError(`KappaReplay: source "${name}": ${skew} must be a non-negative duration, got ${v}`);
    }
    validateThrottle(table.throttle, `source "${name}": `);
  }
  validateThrottle(options.throttle, '');
  const c = options.fileConcurrency;
  if (c !== undefined && !(Number.isInteger(c) && c > 0)) throw new PipelineConstructionError(`KappaReplay: fileConcurrency must be a positive integer, got ${c}`);
  if (options.range && !(options.range.from < options.range.to)) {
    throw new PipelineConstructionError(`KappaReplay: range.from must be before range.to`);
  }
  const m = options.onMissingPartition;
  if (m !== undefined && m !== 'empty' && m !== 'fail') throw new PipelineConstructionError(`KappaReplay: onMissingPartition must be 'empty' or 'fail', got ${String(m)}`);
}

function validateThrottle(throttle: Throttle | undefined, where: string): void {
  for (const key of ['rowsPerSecond', 'bytesPerSecond'] as const) {
    const v = throttle?.[key];
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) {
      throw new PipelineConstructionError(`KappaReplay: ${where}throttle.${key} must be a positive number, got ${v} (leave it out for no limit)`);
    }
  }
  for (const [burst, rate] of [['rowsBurst', 'rowsPerSecond'], ['bytesBurst', 'bytesPerSecond']] as const) {
    const v = throttle?.[burst];
    if (v === undefined) continue;
    if (throttle?.[rate] === undefined) throw new PipelineConstructionError(`KappaReplay: ${where}throttle.${burst} needs throttle.${rate} (a burst of what rate?)`);
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new PipelineConstructionError(`KappaReplay: ${where}throttle.${burst} must be a whole number ≥ 1, got ${v} (leave it out for one second's worth)`);
    }
  }
}
