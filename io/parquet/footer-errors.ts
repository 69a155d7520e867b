/** What a read failure is, said as a ParquetFileError naming the file: unreadable object, truncated file, corrupt footer. */
import { StorageError } from '../storage/errors.js';
import type { RangedReader } from '../storage/storage.js';
import { ParquetFileError } from './errors.js';

export function unreadable(path: string, err: unknown): ParquetFileError {
  if (err instanceof ParquetFileError) return err;
  const detail = err instanceof StorageError ? err.message : `cannot read the object (${(err as Error).message})`;
  return new ParquetFileError({ path, problem: 'unreadable', detail, cause: err });
}

const MAGIC = 0x31524150; // "PAR1" little-endian

export async function classifyFooterError(path: string, file: RangedReader, err: unknown): Promise<ParquetFileError> {
  if (err instanceof StorageError || (err as { cause?: unknown }).cause instanceof StorageError) return unreadable(path, err);
  try {
    const head = new DataView(await file.slice(0, 4));
    const tail = new DataView(await file.slice(file.byteLength - 8, file.byteLength));
    const headOk = head.getUint32(0, true) === MAGIC;
    const tailOk = tail.getUint32(4, true) === MAGIC;
    if (!headOk) {
      return new ParquetFileError({ path, problem: 'corrupt', detail: 'not a Parquet file (no PAR1 magic at the start)', cause: err });
    }
    if (!tailOk) {
      return new ParquetFileError({ path, problem: 'truncated', detail: `no PAR1 magic at the end: the file (${file.byteLength} bytes) was cut short or is still being written`, cause: err });
    }
    const footerLength = tail.getUint32(0, true);
    if (footerLength + 12 > file.byteLength) {
      return new ParquetFileError({ path, problem: 'corrupt', detail: `footer length ${footerLength} exceeds the file size ${file.byteLength}`, cause: err });
    }
  } catch (inner) {
    return unreadable(path, inner);
  }
  return new ParquetFileError({ path, problem: 'corrupt', detail: `cannot decode the footer (${(err as Error).message})`, cause: err });
}
