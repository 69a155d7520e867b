/**
 * Child process of parquet-bomb.test.ts: reads a row-count bomb (built here, in memory) with the
 * given slice size and prints the rows it read. Run with a small --max-old-space-size: without
 * row slicing the process dies of heap exhaustion.
 */
import { readParquet } from '../../../io/parquet/index.js';
import { MemoryStorage } from '../../../io/storage/index.js';
import { bombParquet } from './crafted-parquet.js';

const [rows, valuesPerPage, sliceRows] = process.argv.slice(2).map(Number) as [number, number, number];
const storage = new MemoryStorage();
await storage.write('mem://bomb/f.parquet', bombParquet(rows, ['a', 'b', 'c'], valuesPerPage));
let read = 0;
let sum = 0;
for await (const batch of readParquet<{ a: number; b: number; c: number }>('mem://bomb/f.parquet', { storage, limits: { sliceRows } })) {
  read += batch.rows.length;
  for (const r of batch.rows) sum += r.a + r.b + r.c;
}
process.stdout.write(`${JSON.stringify({ rows: read, sum })}\n`);
