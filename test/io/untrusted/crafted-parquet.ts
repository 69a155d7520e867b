/**
 * Crafted Parquet files for the untrusted-input tests and the fuzz script: a small valid file from
 * the project's writer, and the same file with its footer rewritten (a claim changed) so the data
 * pages stay valid and only the claim lies.
 */
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { ByteWriter } from 'hyparquet-writer';
import { writePageHeader } from 'hyparquet-writer/src/datapage.js';
import { writeMetadata } from 'hyparquet-writer/src/metadata.js';
import { writeParquet, type ParquetWriteOptions, type RowSchema } from '../../../io/parquet/index.js';
import { MemoryStorage } from '../../../io/storage/index.js';

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // PAR1

export const CraftSchema = { id: 'int64', ts: 'timestamp', name: 'string' } satisfies RowSchema;

export function craftRows(n: number): { id: bigint; ts: number; name: string }[] {
  return Array.from({ length: n }, (_, i) => ({ id: BigInt(i), ts: 1_704_067_200_000 + i * 1000, name: `row-${i % 7}` }));
}

/** The bytes of a Parquet file holding `rows`. */
export async function parquetBytes(rows: Record<string, unknown>[], schema: RowSchema = CraftSchema, options: Partial<ParquetWriteOptions> = {}): Promise<Uint8Array> {
  const storage = new MemoryStorage();
  await writeParquet('mem://craft/f.parquet', rows, { schema, storage, ...options });
  return storage.read('mem://craft/f.parquet');
}

/** The footer of a Parquet file, parsed, and where the data section ends. */
export function footerOf(bytes: Uint8Array): { metadata: FileMetaData; dataEnd: number } {
  const ab = bytes.slice().buffer as ArrayBuffer;
  const metadata = parquetMetadata(ab);
  return { metadata, dataEnd: bytes.byteLength - 8 - metadata.metadata_length };
}

/** The same file with its footer replaced by `mutate(footer)`'s (data pages unchanged). */
export function withFooter(bytes: Uint8Array, mutate: (metadata: FileMetaData) => void): Uint8Array {
  const { metadata, dataEnd } = footerOf(bytes);
  mutate(metadata);
  const w = new ByteWriter();
  writeMetadata(w, metadata);
  const footer = new Uint8Array(w.getBuffer());
  const out = new Uint8Array(dataEnd + footer.byteLength + 8);
  out.set(bytes.subarray(0, dataEnd), 0);
  out.set(footer, dataEnd);
  new DataView(out.buffer).setUint32(dataEnd + footer.byteLength, footer.byteLength, true);
  out.set(MAGIC, dataEnd + footer.byteLength + 4);
  return out;
}

/**
 * A row-count bomb: `rows` rows of INT32 columns (each the constant 7), dictionary-encoded as one
 * RLE run per page, so a few hundred bytes decode to any number of rows. Built by hand (page
 * headers and footer through hyparquet-writer's thrift writers): encoding millions of rows with a
 * writer takes seconds. `runClaim` makes each page's run claim that many values instead.
 */
export function bombParquet(rows: number, columns: string[] = ['a', 'b'], valuesPerPage = rows, runClaim?: number): Uint8Array {
  const w = new ByteWriter();
  w.appendBytes(MAGIC);
  const chunks: FileMetaData['row_groups'][number]['columns'] = [];
  for (const name of columns) {
    const dictionaryOffset = w.offset;
    const dictionary = new Uint8Array([7, 0, 0, 0]); // PLAIN int32 7
    writePageHeader(w, { type: 'DICTIONARY_PAGE', uncompressed_page_size: 4, compressed_page_size: 4, dictionary_page_header: { num_values: 1, encoding: 'PLAIN' } });
    w.appendBytes(dictionary);
    const dataOffset = w.offset;
    for (let left = rows; left > 0; left -= valuesPerPage) {
      const count = Math.min(left, valuesPerPage);
      const body = new ByteWriter();
      body.appendUint8(1); // bit width
      body.appendVarInt((runClaim ?? count) * 2); // RLE run header: count << 1 (a lie with runClaim)
      body.appendUint8(0); // dictionary index 0
      const page = new Uint8Array(body.getBuffer());
      writePageHeader(w, {
        type: 'DATA_PAGE',
        uncompressed_page_size: page.byteLength,
        compressed_page_size: page.byteLength,
        data_page_header: { num_values: count, encoding: 'RLE_DICTIONARY', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' },
      });
      w.appendBytes(page);
    }
    const size = BigInt(w.offset - dictionaryOffset);
    chunks.push({
      file_offset: BigInt(dictionaryOffset),
      meta_data: {
        type: 'INT32',
        encodings: ['PLAIN', 'RLE', 'RLE_DICTIONARY'],
        path_in_schema: [name],
        codec: 'UNCOMPRESSED',
        num_values: BigInt(rows),
        total_uncompressed_size: size,
        total_compressed_size: size,
        data_page_offset: BigInt(dataOffset),
        dictionary_page_offset: BigInt(dictionaryOffset),
      },
    });
  }
  const metadata: FileMetaData = {
    version: 1,
    schema: [{ name: 'schema', num_children: columns.length }, ...columns.map((name) => ({ name, type: 'INT32' as const, repetition_type: 'REQUIRED' as const }))],
    num_rows: BigInt(rows),
    row_groups: [{ columns: chunks, total_byte_size: BigInt(w.offset - 4), num_rows: BigInt(rows) }],
    metadata_length: 0,
  };
  const footerStart = w.offset;
  writeMetadata(w, metadata);
  w.appendUint32(w.offset - footerStart);
  w.appendBytes(MAGIC);
  return new Uint8Array(w.getBuffer());
}
