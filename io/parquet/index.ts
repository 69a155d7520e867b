/**
 * Parquet IO: a streaming reader (projection, predicates, row-group skipping by statistics,
 * ranged reads) and an atomic writer, both over `io/storage`. Imports only `io/storage`.
 */
export * from './errors.js';
export { DEFAULT_READ_LIMITS, type ParquetReadLimits } from './limits.js';
export * from './predicates.js';
export * from './read.js';
export * from './schema.js';
export * from './sibling-schema.js';
export * from './write.js';
// Pipeline transforms (these import `sdk/` and `io/warehouse`'s layout and writer core).
export * from './parquet-io.js';
export { ParquetRead, AssignTimestampsFn, type ParquetIOReadOptions, type ParquetReadOutputs } from './read-transform.js';
export { ParquetWritePartitioned, type WritePartitionedOptions, type WritePartitionedOutputs, type WrittenFile } from './write-transform.js';
export type { DeadLetter, FileRef } from '../warehouse/files.js';
