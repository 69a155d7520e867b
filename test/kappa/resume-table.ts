/** The table test/fixtures/pipelines/kappa-resume.ts replays, and how to read what it wrote. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { t, warehouse } from './harness.js';

export const PARTITIONS = 4;
export const FILES = 3;
export const ROWS = 10;

/** 4 hourly partitions × 3 files × 10 rows, keys a/b/c, values 1..n. */
export async function resumeTable(): Promise<string> {
  const files: Record<string, { ts: number; key: string; value: number }[]> = {};
  let v = 0;
  for (let h = 0; h < PARTITIONS; h++) {
    for (let f = 1; f <= FILES; f++) {
      files[`t/dt=2024-01-01/hr=0${h}/f${f}.parquet`] = Array.from({ length: ROWS }, (_, i) => ({
        ts: t(`0${h}:${String(i * 5 + f).padStart(2, '0')}`),
        key: 'abc'[(i + f) % 3]!,
        value: ++v,
      }));
    }
  }
  return join(await warehouse(files), 't');
}

/** The pane files the fixture's idempotent sink wrote: file name (window, key, index) → content. */
export function paneFiles(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) if (f.endsWith('.json')) out[f] = readFileSync(join(dir, f), 'utf8');
  return out;
}
