/**
 * The backfill the fault-injection script kills: a Kappa+ replay of the benchmark warehouse into
 * both two-phase-commit sinks — every row to a partitioned Parquet table, and 10-minute event
 * counts (panes of windows spanning bundles and checkpoints) to text files.
 */
import { KappaReplay } from '../../../io/kappa/index.js';
import { ParquetIO } from '../../../io/parquet/index.js';
import { TextIO } from '../../../io/text/index.js';
import { Count, DoFn, Duration, FixedWindows, IntervalWindow, Map, ParDo, Pipeline, Window, kv, type KV, type ProcessContext } from '../../../sdk/index.js';
import { defineOptions, type OptionsOf } from '../../../sdk/options/index.js';

export const options = defineOptions({
  warehouse: { type: 'string', describe: 'the table replayed' },
  out: { type: 'string', describe: 'where the sinks commit their files' },
});

const millis = (v: unknown) => (v instanceof Date ? v.getTime() : Number(v));

class FormatCount extends DoFn<KV<string, number>, string> {
  process(e: KV<string, number>, ctx: ProcessContext<string>): void {
    const w = ctx.window as IntervalWindow;
    ctx.output(`${new Date(w.start).toISOString()} ${e.key} ${e.value} pane=${ctx.pane.index}`);
  }
}

export default function build(p: Pipeline, o: OptionsOf<typeof options>): void {
  const rows = p.apply(KappaReplay.read<Record<string, unknown>>({ table: o.warehouse!, timestampColumn: 'ts' }));
  rows
    .apply('Project', Map.of((r: Record<string, unknown>) => ({ user_id: Number(r.user_id), ts: millis(r.ts), speed: Number(r.speed), event: String(r.event) })))
    .apply(
      'WriteRows',
      ParquetIO.writePartitioned({
        table: `${o.out}/rows`,
        layout: 'hourly',
        schema: { user_id: 'int32', ts: 'double', speed: 'double', event: 'string' },
        timestampColumn: 'ts',
        twoPhaseCommit: true,
      }),
    );
  rows
    .apply('ByEvent', Map.of((r: Record<string, unknown>) => kv(String(r.event), 1)))
    .apply('TenMinutes', Window.into<KV<string, number>>(FixedWindows.of(Duration.minutes(10))))
    .apply('Count', Count.perKey<string, number>())
    .apply('Format', ParDo.of(new FormatCount()))
    .apply('WriteCounts', TextIO.write(`${o.out}/counts/counts`, { twoPhaseCommit: true }));
}
