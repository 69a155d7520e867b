/**
 * Text and JSON-lines files over `io/storage`. Reading streams the object chunk by chunk (never
 * the whole file) and yields lines without their `\n` or `\r\n`; a last line without a newline is
 * still a line. Writing is atomic (the file appears only when complete).
 */
import { storageFor } from '../storage/index.js';
import type { Storage } from '../storage/storage.js';
import { TributaryError } from '../../sdk/errors.js';

export interface TextReadOptions {
  storage?: Storage;
  /**
   * Longest line accepted, in UTF-16 code units (a trailing `\r` counts). A longer line is a
   * `line-too-long` TextLineError, or, with `onLongLine`, is skipped and handed to it. Default
   * 64 Mi (67,108,864): a file without newlines would otherwise be held as one string.
   */
  maxLineLength?: number;
  /** Dead-letter for lines over `maxLineLength`: the line is skipped (its text is not kept). */
  onLongLine?: (error: TextLineError) => void;
}

export const DEFAULT_MAX_LINE_LENGTH = 64 * 1024 * 1024;

export type TextLineProblem = 'bad-json' | 'line-too-long';

export class TextLineError extends TributaryError {
  constructor(
    readonly path: string,
    /** 1-based line number. */
    readonly line: number,
    /** The line, or its first 200 characters for a line that is too long. */
    readonly text: string,
    detail: string,
    readonly problem: TextLineProblem = 'bad-json',
  ) {
    super(`${path}:${line}: ${detail}`);
  }
}

/**
 * Lines of a text file. Each chunk is searched once (only the new bytes), and a line that spans
 * chunks is kept as a list of parts joined when its newline arrives, so the cost is linear in
 * the file size however long the lines.
 */
export async function* readLines(path: string, options: TextReadOptions = {}): AsyncIterable<string> {
  const storage = options.storage ?? storageFor(path);
  const max = options.maxLineLength ?? DEFAULT_MAX_LINE_LENGTH;
  const decoder = new TextDecoder('utf-8', { ignoreBOM: false });
  let parts: string[] = [];
  let pending = 0;
  let lineNo = 0;
  // after a line that was too long and dead-lettered: drop text until its newline
  let skipping = false;
  const tooLong = (length: number): void => {
    const head = parts.length > 0 ? parts[0]!.slice(0, 200) : '';
    const e = new TextLineError(path, lineNo + 1, head, `line longer than ${max} characters (${length}+ seen); raise maxLineLength if lines this long are expected`, 'line-too-long');
    parts = [];
    pending = 0;
    if (!options.onLongLine) throw e;
    options.onLongLine(e);
    skipping = true;
  };
  const take = (text: string, from: number, to: number): void => {
    if (skipping || to === from) return;
    if (pending + (to - from) > max) {
      parts.push(text.slice(from, Math.min(to, from + 200)));
      return tooLong(pending + (to - from));
    }
    parts.push(text.slice(from, to));
    pending += to - from;
  };
  const endLine = (): string | undefined => {
    lineNo++;
    if (skipping) {
      skipping = false;
      return undefined;
    }
    let line = parts.length === 1 ? parts[0]! : parts.join('');
    parts = [];
    pending = 0;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    return line;
  };
  const lines = function* (text: string): Generator<string> {
    let start = 0;
    for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', start)) {
      take(text, start, nl);
      const line = endLine();
      if (line !== undefined) yield line;
      start = nl + 1;
    }
    take(text, start, text.length);
  };
  for await (const chunk of storage.readStream(path)) yield* lines(decoder.decode(chunk, { stream: true }));
  yield* lines(decoder.decode());
  if (pending > 0 || skipping) {
    const line = endLine();
    if (line !== undefined && line.length > 0) yield line;
  }
}

export interface JsonLinesReadOptions extends TextReadOptions {
  /** Dead-letter for lines that are not JSON; without it such a line throws TextLineError. */
  onBadLine?: (error: TextLineError) => void;
}

/** One JSON value per non-blank line. */
export async function* readJsonLines<T = unknown>(path: string, options: JsonLinesReadOptions = {}): AsyncIterable<T> {
  let n = 0;
  const onLongLine = options.onBadLine
    ? (e: TextLineError) => {
        n++; // the skipped line still has its number
        options.onBadLine!(e);
      }
    : undefined;
  for await (const line of readLines(path, { onLongLine, ...options })) {
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
