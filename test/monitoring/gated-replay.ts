/**
 * A Kappa+ replay of three hourly partitions (10 rows each, `value` 0..9) whose "Gate" holds the
 * first row of the last partition (02:00) until the test opens it: for tests that watch a replay
 * in the middle and at the end.
 */
import { KappaReplay } from '../../io/kappa/index.js';
import { Pipeline, type PCollection } from '../../sdk/index.js';
import { t, warehouse, type Row } from '../kappa/harness.js';
import { Gate, gated } from './gated-job.js';

const rows = (hour: string): Partial<Row>[] => Array.from({ length: 10 }, (_, i) => ({ ts: t(`${hour}:0${i}`), key: 'a', value: i }));

export async function gatedReplay(): Promise<{ p: Pipeline; gate: Gate; gatedRows: PCollection<Record<string, unknown>> }> {
  const root = await warehouse({
    't/dt=2024-01-01/hr=00/f.parquet': rows('00'),
    't/dt=2024-01-01/hr=01/f.parquet': rows('01'),
    't/dt=2024-01-01/hr=02/f.parquet': rows('02'),
  });
  const gate = new Gate((r) => (r as Record<string, unknown>)['ts'] === t('02:00'));
  const p = new Pipeline();
  const gatedRows = gated(p.apply('Replay', KappaReplay.read<Record<string, unknown>>({ table: `${root}/t`, timestampColumn: 'ts' })), gate);
  return { p, gate, gatedRows };
}
