/**
 * KAPPA.md S2's property: whatever the timestamps inside each partition, however the rows are split
 * into files and however many files are read at once, the replay's output equals a batch
 * computation over the sorted rows (every pane ON_TIME, nothing dropped).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KappaReplay } from '../../io/kappa/index.js';
import { Pipeline } from '../../sdk/index.js';
import { HOUR, Observed, fmt, hourlySums, t, warehouse, type Row } from './harness.js';

type Rec = Record<string, unknown>;

const rowArb = fc.record({ offset: fc.integer({ min: 0, max: HOUR - 1 }), key: fc.constantFrom('a', 'b', 'c'), value: fc.integer({ min: 1, max: 5 }), file: fc.nat() });
const partitionArb = fc.record({ files: fc.integer({ min: 1, max: 4 }), rows: fc.array(rowArb, { maxLength: 8 }) });
const caseArb = fc.record({
  partitions: fc.array(partitionArb, { minLength: 1, maxLength: 4 }),
  fileConcurrency: fc.integer({ min: 1, max: 4 }),
  // names decide the listing order of the files inside a partition
  names: fc.array(fc.stringMatching(/^[a-z]{1,6}$/), { minLength: 4, maxLength: 4 }).filter((ns) => new Set(ns).size === 4),
});

/** The batch computation: hourly sums over all rows, sorted. */
function batch(rows: readonly Row[]): string[] {
  const sums = new Map<string, number>();
  for (const r of [...rows].sort((a, b) => a.ts - b.ts)) {
    const start = r.ts - (r.ts % HOUR);
    const k = `[${fmt(start)},${fmt(start + HOUR)}) ${r.key}`;
    sums.set(k, (sums.get(k) ?? 0) + r.value);
  }
  return [...sums].map(([k, v]) => `${k}=${v} ON_TIME #0`).sort();
}

describe('S2 property: replay output equals a batch computation over the sorted rows', () => {
  it('random timestamps per partition, random split into files, random fileConcurrency', async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ partitions, fileConcurrency, names }) => {
        const files: Record<string, Partial<Row>[]> = {};
        const all: Row[] = [];
        partitions.forEach((p, h) => {
          const dir = `t/dt=2024-01-01/hr=${String(h).padStart(2, '0')}`;
          for (let f = 0; f < p.files; f++) files[`${dir}/${names[f]}.parquet`] = []; // some stay empty
          for (const r of p.rows) {
            const row: Row = { ts: t('00:00') + h * HOUR + r.offset, key: r.key, value: r.value };
            files[`${dir}/${names[r.file % p.files]}.parquet`]!.push(row);
            all.push(row);
          }
        });
        const root = await warehouse(files);
        const obs = new Observed();
        const p = new Pipeline();
        hourlySums(p.apply(KappaReplay.read<Rec>({ table: `${root}/t`, timestampColumn: 'ts' }, { fileConcurrency })), obs);
        const result = await obs.run(p);
        expect(obs.panes()).toEqual(batch(all));
        expect(result.metrics().counter('droppedLate')).toBe(0);
        expect(obs.watermarksAt('SumPerKey')).toEqual([...partitions.map((_, h) => fmt(t('01:00') + h * HOUR)), '+∞']);
      }),
      { numRuns: 25 },
    );
  });
});
