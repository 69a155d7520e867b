/** Text and JSON-lines IO over `io/storage`. Imports only `io/storage`. */
export * from './text.js';
