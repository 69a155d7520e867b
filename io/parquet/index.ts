/**
 * Parquet IO: a streaming reader (projection, predicates, row-group skipping by statistics,
 * ranged reads) and an atomic writer, both over `io/storage`. Imports only `io/storage`.
 */
export * from './errors.js';
export * from './predicates.js';
export * from './read.js';
export * from './schema.js';
export * from './write.js';
