/** Text and JSON-lines IO over `io/storage`. Imports only `io/storage`. */
export * from './text.js';
/** Pipeline transforms (import `sdk/` and the shared file matching of `io/warehouse/files`). */
export { TextIO, shardFileName, type TextWriteOptions, type JsonLinesReadOutputs } from './text-io.js';
