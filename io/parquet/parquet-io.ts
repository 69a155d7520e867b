/**
 * `ParquetIO`: the Parquet connector's pipeline transforms (Beam's naming).
 *
 *   const rows = p.apply('ReadClicks', ParquetIO.read({ table: 's3://b/clicks', layout: 'hourly',
 *     timeRange: { column: 'ts', start, end }, columns: ['user', 'ts'], timestampColumn: 'ts' }));
 *   const files = rows.apply('WriteClicks', ParquetIO.writePartitioned({ table: '/data/out',
 *     layout: 'hourly', schema, timestampColumn: 'ts', maxRowsPerFile: 1_000_000 }));
 */
import type { PBegin, PCollection, PTransform } from '../../sdk/index.js';
import { ParquetRead, type ParquetIOReadOptions, type ParquetReadOutputs } from './read-transform.js';
import type { Row } from './read.js';
import { ParquetWritePartitioned, type WritePartitionedOptions, type WritePartitionedOutputs, type WrittenFile } from './write-transform.js';

function read<R = Row>(options: ParquetIOReadOptions & { deadLetter: true }): PTransform<PBegin, ParquetReadOutputs<R>>;
function read<R = Row>(options: ParquetIOReadOptions & { deadLetter?: false }): PTransform<PBegin, PCollection<R>>;
function read<R = Row>(options: ParquetIOReadOptions): PTransform<PBegin, PCollection<R> | ParquetReadOutputs<R>> {
  return new ParquetRead<R, PCollection<R> | ParquetReadOutputs<R>>(options);
}

function writePartitioned<R = Row>(options: WritePartitionedOptions & { deadLetter: true }): PTransform<PCollection<R>, WritePartitionedOutputs>;
function writePartitioned<R = Row>(options: WritePartitionedOptions & { deadLetter?: false }): PTransform<PCollection<R>, PCollection<WrittenFile>>;
function writePartitioned<R = Row>(options: WritePartitionedOptions): PTransform<PCollection<R>, PCollection<WrittenFile> | WritePartitionedOutputs> {
  return new ParquetWritePartitioned<PCollection<WrittenFile> | WritePartitionedOutputs>(options) as unknown as PTransform<PCollection<R>, PCollection<WrittenFile> | WritePartitionedOutputs>;
}

export const ParquetIO = { read, writePartitioned };
