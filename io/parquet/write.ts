/**
 * Parquet writer over the storage layer (hyparquet-writer; see docs/io.md for the measurements
 * that chose it over parquetjs-lite). Rows are buffered column by column up to `rowGroupSize`,
 * encoded as one row group, and streamed to `storage.write`, whose commit is atomic: the file
 * becomes visible only when `close()` has written the footer (temporary name + rename on disk,
 * PutObject/multipart completion on S3). A row that does not fit the schema throws a
 * ParquetRowError, or goes to `onBadRow` and is counted.
 */
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { ByteWriter, ParquetWriter as HyparquetWriter, type ColumnSource } from 'hyparquet-writer';
import { storageFor } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { ParquetRowError, ParquetWriterClosedError } from './errors.js';
import { fieldSpec, toSchemaElements, type FieldSpec, type RowSchema } from './schema.js';

export type Compression = 'snappy' | 'uncompressed' | 'gzip' | 'brotli';

export interface ParquetWriteOptions {
  schema: RowSchema;
  /** Default snappy. */
  compression?: Compression;
  /** Rows per row group (default 50,000). */
  rowGroupSize?: number;
  /** Target uncompressed page size in bytes (default 1 MiB). */
  pageSize?: number;
  /** Storage to write through (default: chosen by the path's scheme). */
  storage?: Storage;
  /** Dead-letter for rows that do not fit the schema; without it such a row throws. */
  onBadRow?: (error: ParquetRowError) => void;
  /** Key/value metadata stored in the footer. */
  metadata?: Record<string, string>;
}

export interface ParquetWriteResult {
  path: string;
  rows: number;
  rowGroups: number;
  badRows: number;
  bytes: number;
}

const CODECS = { snappy: 'SNAPPY', uncompressed: 'UNCOMPRESSED', gzip: 'GZIP', brotli: 'BROTLI' } as const;
const COMPRESSORS = {
  GZIP: (input: Uint8Array) => new Uint8Array(gzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliCompressSync(input)),
};

/** Chunks handed from the encoder to the storage write, with a little backpressure. */
class ChunkChannel implements AsyncIterable<Uint8Array> {
  private queue: Uint8Array[] = [];
  private done = false;
  private error: unknown;
  private wake: (() => void) | undefined;
  private drained: (() => void) | undefined;

  push(chunk: Uint8Array): void {
    this.queue.push(chunk);
    this.wake?.();
  }
  end(): void {
    this.done = true;
    this.wake?.();
  }
  fail(err: unknown): void {
    this.error = err;
    this.done = true;
    this.wake?.();
  }
  /** Resolves once the consumer has taken every queued chunk. */
  whenDrained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => (this.drained = r));
  }
  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    for (;;) {
      if (this.queue.length > 0) {
        yield this.queue.shift()!;
        continue;
      }
      this.drained?.();
      this.drained = undefined;
      if (this.error !== undefined) throw this.error;
      if (this.done) return;
      await new Promise<void>((r) => (this.wake = r));
      this.wake = undefined;
    }
  }
}

/** A ByteWriter that hands each finished row group's bytes to the channel. */
function streamingByteWriter(channel: ChunkChannel): ByteWriter {
  const w = new ByteWriter(1 << 20);
  const flush = () => {
    if (w.index === 0) return;
    channel.push(new Uint8Array(w.buffer.slice(0, w.index)));
    w.index = 0;
  };
  (w as ByteWriter & { flush: () => void }).flush = flush;
  w.finish = flush;
  return w;
}

type Checker = (v: unknown) => unknown; // returns the stored value, or throws a message string

function checker(name: string, spec: FieldSpec): Checker {
  const bad = (v: unknown, want: string) => {
    throw `column "${name}" expects ${want}, got ${v === null ? 'null' : typeof v === 'object' ? Object.prototype.toString.call(v).slice(8, -1) : `${typeof v} ${String(v).slice(0, 40)}`}`;
  };
  const inner: Checker = (() => {
    switch (spec.type) {
      case 'int32':
        return (v) => (typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : bad(v, 'a 32-bit integer'));
      case 'int64':
        return (v) => (typeof v === 'bigint' ? v : typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : bad(v, 'a bigint or safe integer'));
      case 'float':
      case 'double':
        return (v) => (typeof v === 'number' ? v : bad(v, 'a number'));
      case 'boolean':
        return (v) => (typeof v === 'boolean' ? v : bad(v, 'a boolean'));
      case 'string':
        return (v) => (typeof v === 'string' ? v : bad(v, 'a string'));
      case 'bytes':
        return (v) => (v instanceof Uint8Array ? v : bad(v, 'a Uint8Array'));
      case 'timestamp':
        return (v) =>
          typeof v === 'number' && Number.isSafeInteger(v)
            ? BigInt(v)
            : v instanceof Date && !Number.isNaN(v.getTime())
              ? BigInt(v.getTime())
              : bad(v, 'epoch milliseconds (integer) or a Date');
    }
  })();
  if (spec.nullable) return (v) => (v === null || v === undefined ? null : inner(v));
  return (v) => (v === null || v === undefined ? bad(v, `a value (the column is required)`) : inner(v));
}

function columnArray(spec: FieldSpec, values: unknown[]): ColumnSource['data'] {
  if (spec.nullable) return values as ColumnSource['data'];
  switch (spec.type) {
    case 'int32':
      return Int32Array.from(values as number[]);
    case 'float':
      return Float32Array.from(values as number[]);
    case 'double':
      return Float64Array.from(values as number[]);
    case 'int64':
    case 'timestamp':
      return BigInt64Array.from(values as bigint[]);
    default:
      return values as ColumnSource['data'];
  }
}

export class ParquetWriter<R = Record<string, unknown>> {
  private readonly names: string[];
  private readonly specs: FieldSpec[];
  private readonly checks: Checker[];
  private columns: unknown[][];
  private buffered = 0;
  private rows = 0;
  private rowGroups = 0;
  private badRows = 0;
  private closed = false;
  private readonly writer: HyparquetWriter;
  private readonly bytes: ByteWriter;

  private constructor(
    readonly path: string,
    private readonly options: ParquetWriteOptions,
    private readonly channel: ChunkChannel,
    private readonly committed: Promise<void>,
  ) {
    this.names = Object.keys(options.schema);
    this.specs = this.names.map((n) => fieldSpec(options.schema[n]!));
    this.checks = this.names.map((n, i) => checker(n, this.specs[i]!));
    this.columns = this.names.map(() => []);
    this.bytes = streamingByteWriter(channel);
    this.writer = new HyparquetWriter({
      writer: this.bytes,
      schema: toSchemaElements(options.schema),
      codec: CODECS[options.compression ?? 'snappy'],
      compressors: COMPRESSORS,
      kvMetadata: options.metadata ? Object.entries(options.metadata).map(([key, value]) => ({ key, value })) : undefined,
      createdBy: 'tributary (hyparquet-writer)',
    });
  }

  /** Starts the (atomic) write of `path`; nothing is visible there until `close()` resolves. */
  static open<R = Record<string, unknown>>(path: string, options: ParquetWriteOptions): ParquetWriter<R> {
    const storage = options.storage ?? storageFor(path);
    const channel = new ChunkChannel();
    const committed = storage.write(path, channel);
    committed.catch(() => {}); // surfaced by close()
    return new ParquetWriter<R>(path, options, channel, committed);
  }

  get rowsWritten(): number {
    return this.rows + this.buffered;
  }

  /** Bytes encoded so far (row groups flushed; the open row group is not counted). */
  get bytesWritten(): number {
    return this.bytes.offset;
  }

  /** Adds a row; encodes a row group when `rowGroupSize` rows are buffered. */
  async write(row: R): Promise<void> {
    if (this.closed) throw new ParquetWriterClosedError(this.path, `ParquetWriter for ${this.path} is closed`);
    const values = new Array<unknown>(this.names.length);
    const r = row as Record<string, unknown>;
    for (let i = 0; i < this.names.length; i++) {
      try {
        values[i] = this.checks[i]!(r[this.names[i]!]);
      } catch (problem) {
        if (typeof problem !== 'string') throw problem;
        const err = new ParquetRowError({ path: this.path, column: this.names[i]!, row, detail: problem });
        if (!this.options.onBadRow) throw err;
        this.badRows++;
        this.options.onBadRow(err);
        return;
      }
    }
    for (let i = 0; i < values.length; i++) this.columns[i]!.push(values[i]);
    this.buffered++;
    if (this.buffered >= (this.options.rowGroupSize ?? 50_000)) await this.flushRowGroup();
  }

  async writeAll(rows: Iterable<R> | AsyncIterable<R>): Promise<void> {
    for await (const row of rows) await this.write(row);
  }

  private async flushRowGroup(): Promise<void> {
    if (this.buffered === 0) return;
    const columnData: ColumnSource[] = this.names.map((name, i) => ({ name, data: columnArray(this.specs[i]!, this.columns[i]!) }));
    const n = this.buffered;
    this.columns = this.names.map(() => []);
    this.buffered = 0;
    await this.writer.write({ columnData, rowGroupSize: n, pageSize: this.options.pageSize ?? 1 << 20 });
    this.rows += n;
    this.rowGroups++;
    await this.channel.whenDrained();
  }

  /** Writes the last row group and the footer, and commits the file. */
  async close(): Promise<ParquetWriteResult> {
    if (this.closed) throw new ParquetWriterClosedError(this.path, `ParquetWriter for ${this.path} is already closed`);
    try {
      await this.flushRowGroup();
      this.closed = true;
      await this.writer.finish();
      this.channel.end();
    } catch (err) {
      this.abort(err);
      await this.committed.catch(() => {});
      throw err;
    }
    await this.committed;
    return { path: this.path, rows: this.rows, rowGroups: this.rowGroups, badRows: this.badRows, bytes: this.bytes.offset };
  }

  /** Abandons the file: nothing becomes visible at `path`. */
  abort(reason: unknown = new Error('aborted')): void {
    this.closed = true;
    this.channel.fail(reason);
  }
}

/** Writes `rows` to `path` as one Parquet file and commits it atomically. */
export async function writeParquet<R = Record<string, unknown>>(
  path: string,
  rows: Iterable<R> | AsyncIterable<R>,
  options: ParquetWriteOptions,
): Promise<ParquetWriteResult> {
  const w = ParquetWriter.open<R>(path, options);
  try {
    await w.writeAll(rows);
  } catch (err) {
    w.abort(err);
    throw err;
  }
  return w.close();
}
