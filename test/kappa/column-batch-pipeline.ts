/**
 * The column-batch pipeline of the Kappa+ tests (test/kappa/column-batches.test.ts, and on a
 * portable runner test/portable/column-batches.test.ts): the same per-key hourly sums written
 * element-wise and batch-aware, over a small warehouse with a late row.
 */
import { KappaReplay } from '../../io/kappa/index.js';
import { Combine, Duration, FixedWindows, Map as MapT, ParDo, Pipeline, Window, WithKeys, type CombineFn, type KV, type PCollection, type PipelineRunner, type RowCombineFn } from '../../sdk/index.js';
import { Observed, ProbePanes, fmt, t, warehouse, type Row } from './harness.js';

const D = 'dt=2024-01-01';

/** Three hours, two files each; hr=01/f2 holds a row of 00:30, late once the watermark passed 01:00. */
export async function table(): Promise<string> {
  const root = await warehouse({
    [`clicks/${D}/hr=00/f1.parquet`]: [
      { ts: t('00:10'), key: 'a', value: 1 },
      { ts: t('00:50'), key: 'a', value: 2 },
      { ts: t('00:51'), key: 'c', value: 7 },
    ],
    [`clicks/${D}/hr=00/f2.parquet`]: [{ ts: t('00:20'), key: 'b', value: 5 }],
    [`clicks/${D}/hr=01/f1.parquet`]: [
      { ts: t('01:05'), key: 'a', value: 3 },
      { ts: t('01:06'), key: 'b', value: 4 },
    ],
    [`clicks/${D}/hr=01/f2.parquet`]: [
      { ts: t('00:30'), key: 'b', value: 100 },
      { ts: t('01:59:59.999'), key: 'a', value: 4 },
    ],
    [`clicks/${D}/hr=02/f1.parquet`]: [{ ts: t('02:00'), key: 'a', value: 10 }],
    [`clicks/${D}/hr=02/f2.parquet`]: [],
  });
  return `${root}/clicks`;
}

export interface Sums {
  n: number;
  total: number;
}

/** Counts its calls, so a test can tell which path the rows took. */
function sumsFn(calls: { addInput: number; addRow: number }): RowCombineFn<Row, Sums, Sums> {
  return {
    createAccumulator: () => ({ n: 0, total: 0 }),
    addInput(acc, row) {
      calls.addInput++;
      acc.n++;
      acc.total += row.value;
      return acc;
    },
    addRow(acc, columns, i) {
      calls.addRow++;
      acc.n++;
      acc.total += columns.value[i]!;
      return acc;
    },
    mergeAccumulators(accs) {
      const out = { n: 0, total: 0 };
      for (const a of accs) (out.n += a.n), (out.total += a.total);
      return out;
    },
    extractOutput: (acc) => acc,
  };
}

/**
 * Per key per hour, the count and sum of `value`, element-wise or batch-aware, on `runner`
 * (the direct runner by default): panes, late rows, counters and the watermark moves seen.
 */
export async function hourlySums(root: string, batched: boolean, runner?: PipelineRunner) {
  const calls = { addInput: 0, addRow: 0 };
  const obs = new Observed();
  const p = new Pipeline();
  const rows = p.apply(KappaReplay.read<Row>({ table: root, timestampColumn: 'ts', columns: ['key', 'value'] }));
  const keyed: PCollection<KV<string, Row>> = rows.apply('ByKey', batched ? WithKeys.ofColumn<Row, 'key'>('key') : WithKeys.of<string, Row>((r) => r.key));
  const fn: CombineFn<Row, Sums, Sums> = batched ? sumsFn(calls) : { ...sumsFn(calls), addRow: undefined } as unknown as CombineFn<Row, Sums, Sums>;
  const { main, late } = keyed
    .apply('Hourly', Window.into<KV<string, Row>>(FixedWindows.of(Duration.hours(1))))
    .apply('Sums', Combine.perKey<string, Row, Sums>(fn).withLateDataOutput());
  main.apply('Panes', ParDo.of(new ProbePanes<Sums>(obs)));
  const lateRows: string[] = [];
  late.apply('Late', MapT.of((e: KV<string, Row>) => void lateRows.push(`${e.key} ${fmt(e.value.ts)} ${e.value.value}`)));
  const result = runner ? runner.run(p) : obs.runner.run(p);
  await result.waitUntilFinish();
  const counters = result
    .metrics()
    .counters.map((c) => `${c.step} ${c.namespace}/${c.name}=${c.value}`)
    .sort();
  const watermarks = obs.log.filter((e) => e.kind === 'executor-watermark').map((e) => JSON.stringify(e));
  return { panes: obs.panes(), lateRows, counters, watermarks, calls };
}
