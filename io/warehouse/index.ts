/**
 * Warehouse tables: time-partitioned folders of files (Hive-style `dt=…/hr=…` or a path
 * template), discovered over `io/storage`. Imports only `io/storage`.
 */
export * from './layout.js';
export * from './partitions.js';
export * from './sink.js';
export * from './files.js';
