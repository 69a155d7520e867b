/**
 * Fuzz target: the Parquet reader over mutated files on local disk (the backend whose range reads
 * once allocated what a footer claimed). Seeds are small files from the project's writer (several
 * codecs, nullable columns, several row groups) and a hand-built RLE file with many pages.
 * A case is accepted when the whole file reads; a bad file must end in a ParquetFileError.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nullable, readParquet } from '../../io/parquet/index.js';
import { bombParquet, craftRows, footerOf, parquetBytes } from '../../test/io/untrusted/crafted-parquet.js';
import type { FuzzTarget } from './target.js';

const dir = join(tmpdir(), `tributary-fuzz-parquet-${process.pid}`);

const NullableSchema = { id: 'int32', maybe: nullable('string'), v: nullable('double'), flag: 'boolean', blob: nullable('bytes') } as const;

function nullableRows(n: number) {
  return Array.from({ length: n }, (_, i) => ({ id: i, maybe: i % 3 === 0 ? null : `s${i % 11}`, v: i % 4 === 0 ? null : i / 7, flag: i % 2 === 0, blob: i % 5 === 0 ? null : new Uint8Array([i & 255, 1, 2]) }));
}

const target: FuzzTarget = {
  name: 'parquet',
  async seeds() {
    return [
      await parquetBytes(craftRows(120), undefined, { rowGroupSize: 50 }),
      await parquetBytes(craftRows(60), undefined, { compression: 'uncompressed' }),
      await parquetBytes(nullableRows(80), NullableSchema, { compression: 'gzip', rowGroupSize: 40 }),
      await parquetBytes(nullableRows(40), NullableSchema, { compression: 'uncompressed' }),
      bombParquet(3000, ['a', 'b'], 1000),
    ];
  },
  lengthFieldOffsets(seed) {
    // the footer length, and the first bytes of every page header (type, sizes are its first fields)
    const offsets = [seed.byteLength - 8];
    const { metadata } = footerOf(seed);
    for (const rg of metadata.row_groups) {
      for (const c of rg.columns) {
        for (const at of [c.meta_data?.dictionary_page_offset, c.meta_data?.data_page_offset]) {
          if (at !== undefined) for (let k = 0; k < 6; k++) offsets.push(Number(at) + k);
        }
      }
    }
    return offsets;
  },
  async run(input) {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'case.parquet');
    writeFileSync(path, input);
    let bad: Error | undefined;
    let rows = 0;
    for await (const batch of readParquet(path, { onBadFile: (e) => (bad = e) })) {
      for (const row of batch.rows) rows += Object.keys(row).length > 0 ? 1 : 0;
    }
    if (bad) throw bad;
    void rows;
  },
};

export default target;
