/**
 * What the frames of a ZSTD buffer say they hold, read from their headers and block headers only
 * (RFC 8878 §3.1), so a page's claimed size can be checked against its frames before fzstd
 * decompresses it: fzstd fills the buffer it is given and returns all of it, so a frame holding
 * fewer bytes than the page claims would otherwise leave zeros where values should be.
 */
const FRAME_MAGIC = 0xfd2fb528;
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;

/** The total content size the frames declare, or undefined when one does not declare it (or the
 *  buffer is not a sequence of well-formed frame headers: the decompressor will say why). */
export function zstdContentSize(input: Uint8Array): number | undefined {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  let at = 0;
  let total = 0;
  while (at < input.length) {
    if (at + 4 > input.length) return undefined;
    const magic = view.getUint32(at, true);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      if (at + 8 > input.length) return undefined;
      at += 8 + view.getUint32(at + 4, true);
      continue;
    }
    if (magic !== FRAME_MAGIC || at + 5 > input.length) return undefined;
    const descriptor = input[at + 4]!;
    const fcsFlag = descriptor >> 6;
    const singleSegment = (descriptor >> 5) & 1;
    const checksum = (descriptor >> 2) & 1;
    const dictionaryIdBytes = [0, 1, 2, 4][descriptor & 3]!;
    const fcsBytes = [singleSegment ? 1 : 0, 2, 4, 8][fcsFlag]!;
    let p = at + 5 + (singleSegment ? 0 : 1) + dictionaryIdBytes;
    if (fcsBytes === 0 || p + fcsBytes > input.length) return undefined;
    let size: number;
    if (fcsBytes === 1) size = input[p]!;
    else if (fcsBytes === 2) size = view.getUint16(p, true) + 256;
    else if (fcsBytes === 4) size = view.getUint32(p, true);
    else size = Number(view.getBigUint64(p, true));
    p += fcsBytes;
    // blocks: a 3-byte header each (last flag, type, size); an RLE block holds one byte
    for (;;) {
      if (p + 3 > input.length) return undefined;
      const header = input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16);
      const type = (header >> 1) & 3;
      p += 3 + (type === 1 ? 1 : header >>> 3);
      if (header & 1) break;
    }
    at = p + (checksum ? 4 : 0);
    total += size;
  }
  return total;
}
