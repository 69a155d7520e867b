/**
 * ZSTD pages from an untrusted file: decompressed into a buffer of the size the page header
 * claims (bounded by maxPageBytes) — never into what the frame's own header claims — and a page
 * that decompresses to another size than it claims is refused. Frames are built by hand from the
 * format (RFC 8878): magic, a single-segment frame header with its content size, one raw block.
 */
import { describe, expect, it } from 'vitest';
import { guardedCompressors, PageLimitError, PageSizeMismatchError } from '../../../io/parquet/limits.js';

/** One frame holding `data` in a raw block, its header claiming `contentSize` bytes (8-byte field). */
function zstdFrame(data: Uint8Array, contentSize: bigint): Uint8Array {
  const header = new Uint8Array(4 + 1 + 8);
  const view = new DataView(header.buffer);
  view.setUint32(0, 0xfd2fb528, true); // magic
  header[4] = 0b1110_0000; // Frame_Content_Size_flag 3 (8 bytes), Single_Segment_flag 1
  view.setBigUint64(5, contentSize, true);
  const blockHeader = (data.length << 3) | 0b001; // Block_Size, Block_Type 0 (raw), Last_Block 1
  const block = new Uint8Array([blockHeader & 0xff, (blockHeader >> 8) & 0xff, (blockHeader >> 16) & 0xff]);
  return new Uint8Array([...header, ...block, ...data]);
}

const decompress = guardedCompressors({}, 1 << 20).ZSTD!;

describe('ZSTD pages', () => {
  const data = new Uint8Array([1, 2, 3, 4, 5]);

  it('decompress to the claimed page size', () => {
    expect([...decompress(zstdFrame(data, 5n), 5)]).toEqual([1, 2, 3, 4, 5]);
  });

  it('a frame claiming a terabyte is refused, never allocated', () => {
    expect(() => decompress(zstdFrame(data, 1n << 40n), 5)).toThrow('a ZSTD page holds 1099511627776 bytes, not the 5 its page header claims');
  });

  it('a page that decompresses to another size than its header claims is refused', () => {
    expect(() => decompress(zstdFrame(data, 5n), 8)).toThrow(PageSizeMismatchError);
    expect(() => decompress(zstdFrame(data, 5n), 8)).toThrow('a ZSTD page holds 5 bytes, not the 8 its page header claims');
    expect(() => decompress(zstdFrame(data, 5n), 3)).toThrow(PageSizeMismatchError);
  });

  it('a page claiming more than maxPageBytes is refused before anything is allocated', () => {
    expect(() => decompress(zstdFrame(data, 5n), 2 << 20)).toThrow(PageLimitError);
  });
});
