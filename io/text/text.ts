/**
 * Text and JSON-lines files over `io/storage`. Reading streams the object chunk by chunk (never
 * the whole file) and yields lines without their `\n` or `\r\n`; a last line without a newline is
 * still a line. Writing is atomic (the file appears only when complete).
 */
import { storageFor } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';

export interface TextReadOptions {
  storage?: Storage;
}

export class TextLineError extends Error {
  override readonly name = 'TextLineError';
  constructor(
    readonly path: string,
    /** 1-based line number. */
    readonly line: number,
    readonly text: string,
    detail: string,
  ) {
    super(`${path}:${line}: ${detail}`);
  }
}

export async function* readLines(path: string, options: TextReadOptions = {}): AsyncIterable<string> {
  const storage = options.storage ?? storageFor(path);
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let rest = '';
  for await (const chunk of storage.readStream(path)) {
    const text = rest + decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf('\n', start); nl !== -1; nl = text.indexOf('\n', start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.decode();
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  if (rest.length > 0) yield rest;
}

export interface JsonLinesReadOptions extends TextReadOptions {
  /** Dead-letter for lines that are not JSON; without it such a line throws TextLineError. */
  onBadLine?: (error: TextLineError) => void;
}

/** One JSON value per non-blank line. */
export async function* readJsonLines<T = unknown>(path: string, options: JsonLinesReadOptions = {}): AsyncIterable<T> {
  let n = 0;
  for await (const line of readLines(path, options)) {
    n++;
    if (line.trim() === '') continue;
    let value: T;
    try {
      value = JSON.parse(line) as T;
    } catch (err) {
      const e = new TextLineError(path, n, line, `not valid JSON (${(err as Error).message})`);
      if (!options.onBadLine) throw e;
      options.onBadLine(e);
      continue;
    }
    yield value;
  }
}

export interface TextWriteOptions {
  storage?: Storage;
}

const CHUNK = 64 * 1024;

async function* encodeLines(lines: Iterable<string> | AsyncIterable<string>): AsyncIterable<Uint8Array> {
  const enc = new TextEncoder();
  let buf = '';
  for await (const line of lines) {
    buf += `${line}\n`;
    if (buf.length >= CHUNK) {
      yield enc.encode(buf);
      buf = '';
    }
  }
  if (buf.length > 0) yield enc.encode(buf);
}

/** Writes each line followed by `\n`; the file becomes visible only when complete. */
export async function writeLines(path: string, lines: Iterable<string> | AsyncIterable<string>, options: TextWriteOptions = {}): Promise<void> {
  await (options.storage ?? storageFor(path)).write(path, encodeLines(lines));
}

export async function writeJsonLines(path: string, values: Iterable<unknown> | AsyncIterable<unknown>, options: TextWriteOptions = {}): Promise<void> {
  async function* asLines() {
    for await (const v of values) yield JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x));
  }
  await writeLines(path, asLines(), options);
}
