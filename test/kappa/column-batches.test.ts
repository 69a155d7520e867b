/**
 * Column batches through a Kappa+ pipeline (issue #20): a batch-aware chain — the replay's
 * column batches, `WithKeys.ofColumn`, `Window.into` fused into a `Combine.perKey` whose
 * CombineFn adds rows where they lie — must give exactly what the same pipeline written element
 * by element gives: panes, late output, watermarks at every operator, counters.
 */
import { describe, expect, it } from 'vitest';
import { KappaReplay } from '../../io/kappa/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { Combine, Duration, FixedWindows, Map as MapT, ParDo, Pipeline, Sum, Window, WithKeys, kv, type KV, type PCollection, type RowCombineFn } from '../../sdk/index.js';
import { Observed, ProbePanes, type Row } from './harness.js';
import { hourlySums, table } from './column-batch-pipeline.js';

describe('column batches through a Kappa+ pipeline', () => {
  it('a batch-aware chain gives the element-wise chain’s panes, late rows, watermarks and counters', async () => {
    const root = await table();
    const rowWise = await hourlySums(root, false);
    const batched = await hourlySums(root, true);
    expect(rowWise.panes).toEqual(
      [
        '[00:00,01:00) a={"n":2,"total":3} ON_TIME #0',
        '[00:00,01:00) b={"n":1,"total":5} ON_TIME #0',
        '[00:00,01:00) c={"n":1,"total":7} ON_TIME #0',
        '[01:00,02:00) a={"n":2,"total":7} ON_TIME #0',
        '[01:00,02:00) b={"n":1,"total":4} ON_TIME #0',
        '[02:00,03:00) a={"n":1,"total":10} ON_TIME #0',
      ].sort(),
    );
    expect(rowWise.lateRows).toEqual(['b 00:30 100']);
    expect(batched.panes).toEqual(rowWise.panes);
    expect(batched.lateRows).toEqual(rowWise.lateRows);
    expect(batched.watermarks).toEqual(rowWise.watermarks);
    expect(batched.watermarks.length).toBeGreaterThan(0);
    expect(batched.counters).toEqual(rowWise.counters);
    expect(batched.counters).toContain('Sums tributary/droppedLate=1');
    // the rows really took each path
    expect(rowWise.calls).toEqual({ addInput: 8, addRow: 0 });
    expect(batched.calls).toEqual({ addInput: 0, addRow: 8 });
  });

  it('a batched DoFn feeding element-wise code hands it the rows one by one, unchanged', async () => {
    const root = await table();
    const sums = async (batched: boolean) => {
      const obs = new Observed();
      const p = new Pipeline();
      p.apply(KappaReplay.read<Row>({ table: root, timestampColumn: 'ts' }))
        .apply('ByKey', batched ? WithKeys.ofColumn<Row, 'key'>('key') : WithKeys.of<string, Row>((r) => r.key))
        .apply('Value', MapT.of((e: KV<string, Row>) => kv(e.key, e.value.value)))
        .apply('Hourly', Window.into<KV<string, number>>(FixedWindows.of(Duration.hours(1))))
        .apply('Sum', Sum.perKey<string>())
        .apply('Panes', ParDo.of(new ProbePanes<number>(obs)));
      await obs.run(p);
      return obs.panes();
    };
    const rowWise = await sums(false);
    expect(rowWise).toContain('[01:00,02:00) a=7 ON_TIME #0');
    expect(await sums(true)).toEqual(rowWise);
  });

  it('columnBatches: rows — a replay that emits each row itself gives element-wise consumers the same log as one read in batches', async () => {
    const root = await table();
    const logOf = async (mode: 'auto' | 'rows') => {
      const obs = new Observed();
      const runner = new DirectRunner({ columnBatches: mode, trace: (e) => obs.log.push({ kind: 'executor-watermark', operator: e.operator, value: e.value }) });
      const p = new Pipeline();
      // one file at a time: files read concurrently interleave their rows differently run to run
      p.apply(KappaReplay.read<Row>({ table: root, timestampColumn: 'ts' }, { trace: obs.trace, fileConcurrency: 1 }))
        .apply('Value', MapT.of((r: Row) => kv(r.key, r.value)))
        .apply('Hourly', Window.into<KV<string, number>>(FixedWindows.of(Duration.hours(1))))
        .apply('Sum', Sum.perKey<string>())
        .apply('Panes', ParDo.of(new ProbePanes<number>(obs)));
      await runner.run(p).waitUntilFinish();
      return obs.log.map((e) => JSON.stringify(e));
    };
    const auto = await logOf('auto');
    expect(auto.some((e) => e.includes('"kind":"pane"'))).toBe(true);
    expect(await logOf('rows')).toEqual(auto);
  });

  it('a bad columnBatches mode is a typed error naming the setting', () => {
    expect(() => new DirectRunner({ columnBatches: 'sometimes' as never })).toThrow(/columnBatches must be 'auto' or 'rows', got "sometimes"/);
  });

  it('the batched API is typed: a missing column or a CombineFn of other rows does not compile', () => {
    const p = new Pipeline();
    const rows = p.apply(KappaReplay.read<Row>({ table: '/nowhere', timestampColumn: 'ts' }));
    // @ts-expect-error — Row has no column "user"
    WithKeys.ofColumn<Row, 'user'>('user');
    const keyed = rows.apply('ByKey', WithKeys.ofColumn<Row, 'key'>('key'));
    const otherRows = null as unknown as RowCombineFn<{ speed: number }, number, number>;
    // @ts-expect-error — the CombineFn adds rows of another shape
    keyed.apply('Other', Combine.perKey<string, Row, number>(otherRows));
    const keyType: PCollection<KV<string, Row>> = keyed;
    expect(keyType).toBeDefined();
  });
});
