/**
 * What a Parquet file may claim before we decode it. Warehouses hold files written by other
 * teams' tools; a footer is a set of claims (row counts, byte sizes, offsets) that a damaged or
 * hostile file can set to anything. Every claim that sizes an allocation is checked here against
 * the file's real size or a configurable limit, so a bad file becomes a `ParquetFileError` (and
 * goes to `onBadFile`) instead of an allocation that aborts the process.
 */
import { decompress as decompressZstd } from 'fzstd';
import { zstdContentSize } from './zstd-frames.js';
import { parquetSchema, snappyUncompress, type ColumnMetaData, type Compressors, type FileMetaData, type PageHeader, type SchemaTree } from 'hyparquet';
import { parquetHeader } from 'hyparquet/src/column.js';
import { ParquetFileError } from './errors.js';
import { TributaryError } from '../../sdk/errors.js';

export interface ParquetReadLimits {
  /** Rows a file may claim in its footer. Default 2^31 (2,147,483,648). */
  maxRowsPerFile: number;
  /** Rows one row group may claim. Default 2^24 (16,777,216): pyarrow, DuckDB and Spark write far fewer. */
  maxRowsPerRowGroup: number;
  /** Uncompressed bytes the projected column chunks of one row group may claim. Default 2 GiB. */
  maxRowGroupBytes: number;
  /** Uncompressed bytes one page may claim (its decompression buffer). Default 256 MiB; writers use ~1 MiB. */
  maxPageBytes: number;
  /**
   * Values one page may claim. A page is decoded whole, and run-length encoding lets a few bytes
   * claim millions of values, so this bounds the arrays one page decodes to. Default 2^20
   * (1,048,576); parquet-mr and Arrow close a page at 20,000 rows.
   */
  maxValuesPerPage: number;
  /**
   * Rows turned into row objects at once. A row group with more rows is decoded in slices of this
   * many rows (its compressed bytes fetched once), so memory holds one slice of objects whatever
   * the row group claims. Default 65,536.
   */
  sliceRows: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ParquetReadLimits> = Object.freeze({
  maxRowsPerFile: 2 ** 31,
  maxRowsPerRowGroup: 2 ** 24,
  maxRowGroupBytes: 2 * 1024 ** 3,
  maxPageBytes: 256 * 1024 ** 2,
  maxValuesPerPage: 2 ** 20,
  sliceRows: 65_536,
});

export function readLimits(overrides: Partial<ParquetReadLimits> | undefined): ParquetReadLimits {
  const limits = { ...DEFAULT_READ_LIMITS, ...overrides };
  for (const [name, v] of Object.entries(limits)) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`Parquet read limit ${name} must be a positive integer, got ${v}`);
  }
  return limits;
}

const HINT = 'raise the limit in the read options (`limits`) if the file is genuine';

/**
 * Checks the footer's claims against the file size and the limits: row counts, every column
 * chunk's byte range inside the data section (between the leading magic and the footer), and the
 * uncompressed bytes of the columns that will be read.
 */
export function checkFooterClaims(path: string, metadata: FileMetaData, fileSize: number, readColumns: string[] | undefined, limits: ParquetReadLimits): void {
  const corrupt = (detail: string, rowGroup?: number) => new ParquetFileError({ path, problem: 'corrupt', detail, rowGroup });
  const tooBig = (detail: string, rowGroup?: number) => new ParquetFileError({ path, problem: 'limit-exceeded', detail: `${detail}; ${HINT}`, rowGroup });
  const fileRows = Number(metadata.num_rows);
  if (!Number.isSafeInteger(fileRows) || fileRows < 0) throw corrupt(`the footer claims ${metadata.num_rows} rows`);
  if (fileRows > limits.maxRowsPerFile) throw tooBig(`the footer claims ${fileRows} rows, more than maxRowsPerFile ${limits.maxRowsPerFile}`);
  const dataEnd = fileSize - 8 - Number(metadata.metadata_length);
  let tree: SchemaTree;
  try {
    tree = parquetSchema(metadata);
  } catch (err) {
    throw corrupt(`the schema cannot be read (${(err as Error).message})`);
  }
  // top-level columns that are neither nested nor repeated hold exactly one value per row
  const flat = new Set(tree.children.filter((c) => c.children.length === 0 && c.element.repetition_type !== 'REPEATED').map((c) => c.element.name));
  const leaves = leafPaths(tree).sort();
  const wanted = readColumns ? new Set(readColumns) : undefined;
  let sum = 0;
  metadata.row_groups.forEach((rg, g) => {
    const rows = Number(rg.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0) throw corrupt(`the row group claims ${rg.num_rows} rows`, g);
    if (rows > limits.maxRowsPerRowGroup) throw tooBig(`the row group claims ${rows} rows, more than maxRowsPerRowGroup ${limits.maxRowsPerRowGroup}`, g);
    sum += rows;
    let uncompressed = 0;
    // hyparquet decodes a chunk whose path names no schema leaf but never assembles it: its
    // failures would go unobserved, and a missing leaf would read as undefined values
    const chunkPaths = rg.columns.map((c) => c.meta_data?.path_in_schema.join('.'));
    const sorted = [...chunkPaths].sort();
    if (sorted.length !== leaves.length || sorted.some((p, i) => p !== leaves[i])) {
      throw corrupt(`the column chunks (${chunkPaths.join(', ')}) do not match the schema's columns (${leaves.join(', ')})`, g);
    }
    for (const chunk of rg.columns) {
      const meta = chunk.meta_data;
      if (!meta) throw corrupt('a column chunk has no metadata', g);
      const name = meta.path_in_schema.join('.');
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const length = Number(meta.total_compressed_size);
      const size = Number(meta.total_uncompressed_size);
      if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 4 || length < 0 || start + length > dataEnd) {
        throw corrupt(`column "${name}" claims bytes ${start}..${start + length} (${length} bytes), outside the data section 4..${dataEnd} of this ${fileSize}-byte file`, g);
      }
      if (!Number.isSafeInteger(size) || size < 0) throw corrupt(`column "${name}" claims ${meta.total_uncompressed_size} uncompressed bytes`, g);
      const values = Number(meta.num_values);
      if (!Number.isSafeInteger(values) || values < 0 || (meta.path_in_schema.length === 1 && flat.has(name) && values !== rows)) {
        throw corrupt(`column "${name}" claims ${meta.num_values} values but the row group claims ${rows} rows`, g);
      }
      if (!wanted || wanted.has(meta.path_in_schema[0]!)) uncompressed += size;
    }
    if (uncompressed > limits.maxRowGroupBytes) {
      throw tooBig(`the columns read claim ${uncompressed} uncompressed bytes, more than maxRowGroupBytes ${limits.maxRowGroupBytes}`, g);
    }
  });
  if (metadata.row_groups.length > 0 && sum !== fileRows) {
    throw corrupt(`the footer claims ${fileRows} rows but its row groups hold ${sum}`);
  }
}

/** A page whose header claims more than `maxPageBytes` uncompressed; thrown inside hyparquet's decode. */
export class PageLimitError extends TributaryError {
  constructor(readonly claimed: number, readonly limit: number) {
    super(`a page claims ${claimed} uncompressed bytes, more than maxPageBytes ${limit}`);
  }
}

/** A compressed page that does not decompress to the size its header claims. */
export class PageSizeMismatchError extends TributaryError {
  constructor(readonly codec: string, readonly claimed: number, readonly actual: number) {
    super(`a ${codec} page holds ${actual} bytes, not the ${claimed} its page header claims`);
  }
}

/**
 * The decompressors, each refusing a page whose header claims more than `maxPageBytes` before it
 * allocates the output buffer, and a page that decompresses to another size than it claims (the
 * decoder would read past its values, or loop on what is missing). SNAPPY is listed too:
 * hyparquet's built-in one would allocate first; ZSTD decompresses into a buffer of the claimed
 * size, because fzstd on its own allocates whatever the frame header says (a crafted frame of a
 * few bytes may claim terabytes).
 */
export function guardedCompressors(base: Compressors, maxPageBytes: number): Compressors {
  const out: Compressors = {};
  const guard = (size: number) => {
    if (!Number.isSafeInteger(size) || size < 0 || size > maxPageBytes) throw new PageLimitError(size, maxPageBytes);
  };
  const decompressors: Compressors = {
    ...base,
    SNAPPY: base.SNAPPY ?? ((input: Uint8Array, size: number) => {
      const page = new Uint8Array(size);
      snappyUncompress(input, page);
      return page;
    }),
    ZSTD: (input: Uint8Array, size: number) => {
      const declared = zstdContentSize(input);
      if (declared !== undefined && declared !== size) throw new PageSizeMismatchError('ZSTD', size, declared);
      return decompressZstd(input, new Uint8Array(size));
    },
  };
  for (const [codec, decompress] of Object.entries(decompressors)) {
    if (!decompress) continue;
    out[codec as keyof Compressors] = (input: Uint8Array, size: number) => {
      guard(size);
      const page = decompress(input, size);
      if (page.length !== size) throw new PageSizeMismatchError(codec, size, page.length);
      return page;
    };
  }
  return out;
}

/** A column chunk's byte range, as hyparquet fetches it. */
export function chunkRange(meta: ColumnMetaData): { start: number; end: number } {
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
  return { start, end: start + Number(meta.total_compressed_size) };
}

/**
 * Walks the page headers of one column chunk (no decoding) and checks what each page claims:
 * its bytes inside the chunk, its uncompressed size and its value count within the limits, and
 * the data pages' values adding up to what the footer claims for the chunk. Throws PageClaimError.
 */
export function checkPages(chunk: Uint8Array, column: string, claimedValues: number, levels: ColumnLevels, limits: ParquetReadLimits): void {
  let dataValues = 0;
  const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 };
  let page = 0;
  while (reader.offset < chunk.byteLength - 1) {
    let header;
    try {
      header = parquetHeader(reader);
    } catch (err) {
      throw new PageClaimError('corrupt', `column "${column}" page ${page}: cannot read the page header (${(err as Error).message})`);
    }
    const compressed = header.compressed_page_size;
    const uncompressed = header.uncompressed_page_size;
    const values = header.data_page_header?.num_values ?? header.data_page_header_v2?.num_values ?? header.dictionary_page_header?.num_values ?? 0;
    const where = `column "${column}" page ${page}`;
    if (!Number.isSafeInteger(compressed) || compressed < 0 || reader.offset + compressed > chunk.byteLength) {
      throw new PageClaimError('corrupt', `${where} claims ${compressed} bytes, past the end of its column chunk (${chunk.byteLength} bytes)`);
    }
    if (!Number.isSafeInteger(uncompressed) || uncompressed < 0) throw new PageClaimError('corrupt', `${where} claims ${uncompressed} uncompressed bytes`);
    if (uncompressed > limits.maxPageBytes) {
      throw new PageClaimError('limit-exceeded', `${where} claims ${uncompressed} uncompressed bytes, more than maxPageBytes ${limits.maxPageBytes}; ${HINT}`);
    }
    if (!Number.isSafeInteger(values) || values < 0) throw new PageClaimError('corrupt', `${where} claims ${values} values`);
    if (values > limits.maxValuesPerPage) {
      throw new PageClaimError('limit-exceeded', `${where} claims ${values} values, more than maxValuesPerPage ${limits.maxValuesPerPage}; ${HINT}`);
    }
    if (header.type !== 'DICTIONARY_PAGE') dataValues += values;
    checkUncompressedRuns(reader.view, reader.offset, reader.offset + compressed, header, levels, where);
    reader.offset += compressed;
    page++;
  }
  if (dataValues !== claimedValues) {
    throw new PageClaimError('corrupt', `column "${column}": its pages hold ${dataValues} values, the footer claims ${claimedValues}`);
  }
}

export class PageClaimError extends TributaryError {
  constructor(
    readonly problem: 'corrupt' | 'limit-exceeded',
    readonly detail: string,
  ) {
    super(detail);
  }
}

/** Dotted paths of the schema's leaf columns. */
function leafPaths(tree: SchemaTree): string[] {
  const out: string[] = [];
  const walk = (node: SchemaTree) => {
    if (node.children.length === 0) out.push(node.path.join('.'));
    else node.children.forEach(walk);
  };
  tree.children.forEach(walk);
  return out;
}

/** A column's level bit widths (0 when it has no repetition or definition levels) and codec. */
export interface ColumnLevels {
  repetitionBits: number;
  definitionBits: number;
  compressed: boolean;
}

export function columnLevels(maxRepetition: number, maxDefinition: number, codec: string): ColumnLevels {
  const bits = (n: number) => (n > 0 ? 32 - Math.clz32(n) : 0);
  return { repetitionBits: bits(maxRepetition), definitionBits: bits(maxDefinition), compressed: codec !== 'UNCOMPRESSED' };
}

/**
 * Checks the run-length encoded parts of a page that can be read without decompressing it: the
 * levels of a V2 page (never compressed), and the levels and dictionary indices of an
 * uncompressed page. hyparquet writes every value of a run into an array sized for the page, so
 * one run claiming two billion values (a few bytes) would loop for minutes and grow that array
 * without bound; here a run longer than the values left in the page is a corrupt page.
 */
function checkUncompressedRuns(view: DataView, start: number, end: number, header: PageHeader, levels: ColumnLevels, where: string): void {
  const v2 = header.data_page_header_v2;
  const v1 = header.data_page_header;
  if (v2) {
    const rl = v2.repetition_levels_byte_length;
    const dl = v2.definition_levels_byte_length;
    if (!(rl >= 0 && dl >= 0 && start + rl + dl <= end)) throw new PageClaimError('corrupt', `${where}: level lengths ${rl} + ${dl} exceed the page`);
    if (levels.repetitionBits > 0) checkRuns(view, start, start + rl, levels.repetitionBits, v2.num_values, `${where} repetition levels`);
    if (levels.definitionBits > 0) checkRuns(view, start + rl, start + rl + dl, levels.definitionBits, v2.num_values, `${where} definition levels`);
    const compressed = levels.compressed && v2.is_compressed !== false;
    if (!compressed) checkDictionaryIndices(view, start + rl + dl, end, v2.encoding, v2.num_values - (v2.num_nulls ?? 0), where);
  } else if (v1 && !levels.compressed) {
    let at = start;
    for (const [bits, what] of [[levels.repetitionBits, 'repetition'], [levels.definitionBits, 'definition']] as const) {
      if (bits === 0) continue;
      if (at + 4 > end) throw new PageClaimError('corrupt', `${where}: ${what} levels run past the page`);
      const length = view.getUint32(at, true);
      if (at + 4 + length > end) throw new PageClaimError('corrupt', `${where}: ${what} levels claim ${length} bytes, past the page`);
      checkRuns(view, at + 4, at + 4 + length, bits, v1.num_values, `${where} ${what} levels`);
      at += 4 + length;
    }
    // without level counts the non-null values are unknown: bound the indices by all values
    checkDictionaryIndices(view, at, end, v1.encoding, v1.num_values, where);
  }
}

function checkDictionaryIndices(view: DataView, start: number, end: number, encoding: string, values: number, where: string): void {
  if ((encoding !== 'RLE_DICTIONARY' && encoding !== 'PLAIN_DICTIONARY') || values <= 0) return;
  if (start >= end) throw new PageClaimError('corrupt', `${where}: no dictionary indices`);
  checkRuns(view, start + 1, end, view.getUint8(start), values, `${where} dictionary indices`, true);
}

/**
 * Walks the runs of an RLE/bit-packed hybrid section [start, end) holding `values` values of
 * `bits` bits. With `partial`, fewer values than claimed are allowed (a V1 page's indices count
 * only the non-null values, which are not known here).
 */
function checkRuns(view: DataView, start: number, end: number, bits: number, values: number, what: string, partial = false): void {
  if (bits > 32) throw new PageClaimError('corrupt', `${what}: bit width ${bits}`);
  const width = (bits + 7) >> 3;
  let at = start;
  let seen = 0;
  while (seen < values) {
    if (at >= end) {
      if (partial) return;
      throw new PageClaimError('corrupt', `${what}: the runs end after ${seen} of ${values} values`);
    }
    let header = 0;
    let scale = 1;
    for (;;) {
      if (at >= end) throw new PageClaimError('corrupt', `${what}: a run header runs past its section`);
      const b = view.getUint8(at++);
      header += (b & 0x7f) * scale;
      scale *= 128;
      if ((b & 0x80) === 0) break;
      if (scale > 2 ** 35) throw new PageClaimError('corrupt', `${what}: a run header longer than 5 bytes`);
    }
    const bitPacked = header % 2 === 1;
    const count = bitPacked ? Math.floor(header / 2) * 8 : Math.floor(header / 2);
    if (count > values - seen + 7) throw new PageClaimError('corrupt', `${what}: a run of ${count} values where ${values - seen} are left`);
    at += bitPacked ? (count / 8) * bits : width;
    seen += count;
  }
}
