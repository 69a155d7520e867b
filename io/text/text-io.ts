/**
 * `TextIO`: text and JSON-lines files as pipeline transforms over `io/storage`.
 *
 * Reading expands a path, directory or glob into files when the pipeline starts (a missing path
 * or a bad scheme fails the job at once, naming the path), then streams each file line by line
 * from an async generator, so the runner's backpressure reaches the reader. JSON lines that do
 * not parse fail the job (`TextLineError`: `<path>:<line>: not valid JSON (…)`) or, with
 * `deadLetter: true`, go to a `deadLetter` output and are counted (`textio/badLines`).
 *
 * Writing collects the elements with a GroupByKey on the shard number (a constant key with one
 * shard), per window, and writes each shard's file atomically once its window fires:
 * `<prefix>-00000-of-00001.txt` in the global window, `<prefix>-<window start>-<window end>-…`
 * in other windows, and `…-pane<n>…` for a window's later (late) panes, so nothing is
 * overwritten. The written paths are the output, so a pipeline can chain on them.
 */
import {
  DoFn,
  GroupByKey,
  Impulse,
  IntervalWindow,
  Metrics,
  ParDo,
  PTransform,
  kv,
  type KV,
  type PBegin,
  type PCollection,
  type ProcessContext,
} from '../../sdk/index.js';
import { validate } from '../storage/index.js';
import { ExpandFilesFn, checkScheme, type DeadLetter, type FileRef } from '../warehouse/files.js';
import { readJsonLines, readLines, writeLines, type TextLineError } from './text.js';
import { TwoPhaseWrite, pendingFolderBeside, type CommittedFile, type PendingFileFormat } from '../two-phase/two-phase-write.js';
import { TransformOptionError } from '../../sdk/errors.js';

class ReadLinesFn extends DoFn<FileRef, string> {
  private readonly lines = Metrics.counter('textio', 'lines');
  private readonly files = Metrics.counter('textio', 'filesRead');
  process(file: FileRef): AsyncGenerator<string> {
    return this.lines_(file);
  }
  private async *lines_(file: FileRef): AsyncGenerator<string> {
    this.files.inc();
    for await (const line of readLines(file.path)) {
      this.lines.inc();
      yield line;
    }
  }
}

class ReadJsonLinesFn extends DoFn<FileRef, unknown, { deadLetter: DeadLetter }> {
  private readonly values = Metrics.counter('textio', 'lines');
  private readonly files = Metrics.counter('textio', 'filesRead');
  private readonly badLines = Metrics.counter('textio', 'badLines');
  constructor(readonly deadLetter: boolean) {
    super();
  }
  process(file: FileRef, ctx: ProcessContext<unknown, { deadLetter: DeadLetter }>): AsyncGenerator<unknown> {
    return this.values_(file, ctx);
  }
  private async *values_(file: FileRef, ctx: ProcessContext<unknown, { deadLetter: DeadLetter }>): AsyncGenerator<unknown> {
    this.files.inc();
    const onBadLine = this.deadLetter
      ? (e: TextLineError) => {
          this.badLines.inc();
          ctx.outputTo('deadLetter', { path: e.path, problem: e.problem, message: e.message, line: e.line, row: e.text });
        }
      : undefined;
    for await (const v of readJsonLines(file.path, { onBadLine })) {
      this.values.inc();
      yield v;
    }
  }
}

class TextRead<Out> extends PTransform<PBegin, Out> {
  constructor(
    private readonly patterns: string[],
    private readonly json: boolean,
    private readonly deadLetter: boolean,
  ) {
    super(json ? 'TextIO.readJsonLines' : 'TextIO.read');
    for (const p of patterns) checkScheme(p);
  }
  expand(input: PBegin): Out {
    const files = input.pipeline.apply('Impulse', Impulse.create()).apply('ExpandFiles', ParDo.of(new ExpandFilesFn(this.patterns, {})));
    if (!this.json) return files.apply('ReadLines', ParDo.of(new ReadLinesFn())) as Out;
    const fn = new ReadJsonLinesFn(this.deadLetter);
    if (!this.deadLetter) return files.apply('ReadJsonLines', ParDo.of(fn)) as Out;
    const out = files.apply('ReadJsonLines', ParDo.of(fn).withOutputTags('deadLetter'));
    return { values: out.main, deadLetter: out.deadLetter } as Out;
  }
}

export interface TextWriteOptions {
  /** File name ending (default `.txt`, `.jsonl` for JSON lines). */
  suffix?: string;
  /** Files per window (default 1); elements are spread round robin. */
  numShards?: number;
  /**
   * Exactly-once on a runner with checkpoints, whatever the pane timing: each bundle writes
   * pending files, committed (moved to `<prefix>[-<window>]-<token><suffix>`) only once a
   * durable checkpoint holds them (io/two-phase). `numShards` does not apply.
   */
  twoPhaseCommit?: boolean;
}

class AssignShardFn<T> extends DoFn<T, KV<number, T>> {
  private next = 0;
  constructor(readonly numShards: number) {
    super();
  }
  process(v: T, ctx: ProcessContext<KV<number, T>>): void {
    const shard = this.next;
    this.next = (this.next + 1) % this.numShards;
    ctx.output(kv(shard, v));
  }
}

function compactTime(t: number): string {
  return new Date(t).toISOString().replace(/[-:]|\.\d{3}/g, '');
}

/** The file name of one shard of one pane of one window. */
export function shardFileName(prefix: string, suffix: string, shard: number, numShards: number, window: unknown, pane: number): string {
  const w = window instanceof IntervalWindow ? `-${compactTime(window.start)}-${compactTime(window.end)}` : '';
  const p = pane > 0 ? `-pane${pane}` : '';
  return `${prefix}${w}${p}-${String(shard).padStart(5, '0')}-of-${String(numShards).padStart(5, '0')}${suffix}`;
}

class WriteShardFn<T> extends DoFn<KV<number, T[]>, string> {
  private readonly files = Metrics.counter('textio', 'filesWritten');
  private readonly lines = Metrics.counter('textio', 'linesWritten');
  constructor(
    readonly prefix: string,
    readonly suffix: string,
    readonly numShards: number,
    readonly json: boolean,
  ) {
    super();
  }
  override async setup(): Promise<void> {
    await validate(this.prefix, 'write');
  }
  async process(group: KV<number, T[]>, ctx: ProcessContext<string>): Promise<string[]> {
    const path = shardFileName(this.prefix, this.suffix, group.key, this.numShards, ctx.window, ctx.pane.index);
    const json = this.json;
    const values = group.value;
    function* lines(): Generator<string> {
      for (const v of values) yield lineOf(json, v);
    }
    await writeLines(path, lines());
    this.files.inc();
    this.lines.inc(values.length);
    return [path];
  }
}

function lineOf(json: boolean, v: unknown): string {
  return json ? JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x)) : String(v);
}

/** Text files for the two-phase-commit sink: one destination per window. */
function textFormat<T>(prefix: string, suffix: string, json: boolean): PendingFileFormat<T, { lines: number }> {
  return {
    suffix,
    pendingDir: pendingFolderBeside(prefix),
    destination: () => '',
    finalPath: (_d, token, window) => `${prefix}${window instanceof IntervalWindow ? `-${compactTime(window.start)}-${compactTime(window.end)}` : ''}-${token}${suffix}`,
    async write(path, elements) {
      await writeLines(path, elements.map((v) => lineOf(json, v)));
      return { lines: elements.length };
    },
  };
}

class CommittedPathFn extends DoFn<CommittedFile<unknown>, string> {
  process(file: CommittedFile<unknown>): string[] {
    return [file.path];
  }
}

class TextWrite<T> extends PTransform<PCollection<T>, PCollection<string>> {
  private readonly numShards: number;
  constructor(
    private readonly prefix: string,
    private readonly json: boolean,
    private readonly options: TextWriteOptions,
  ) {
    super(json ? 'TextIO.writeJsonLines' : 'TextIO.write');
    checkScheme(prefix);
    this.numShards = options.numShards ?? 1;
    if (!(Number.isInteger(this.numShards) && this.numShards > 0)) throw new TransformOptionError(json ? 'TextIO.writeJsonLines' : 'TextIO.write', 'numShards', `TextIO: numShards must be a positive integer, got ${this.numShards}`);
  }
  expand(input: PCollection<T>): PCollection<string> {
    const suffix = this.options.suffix ?? (this.json ? '.jsonl' : '.txt');
    if (this.options.twoPhaseCommit) {
      return input
        .apply('TwoPhaseWrite', new TwoPhaseWrite(textFormat<T>(this.prefix, suffix, this.json)))
        .apply('Paths', ParDo.of(new CommittedPathFn()));
    }
    return input
      .apply('AssignShards', ParDo.of(new AssignShardFn<T>(this.numShards)))
      .apply('GroupByKey', GroupByKey.create<number, T>())
      .apply('WriteShards', ParDo.of(new WriteShardFn<T>(this.prefix, suffix, this.numShards, this.json)));
  }
}

export interface JsonLinesReadOutputs<T> {
  values: PCollection<T>;
  deadLetter: PCollection<DeadLetter>;
}

function readJson<T = unknown>(path: string | string[], options: { deadLetter: true }): PTransform<PBegin, JsonLinesReadOutputs<T>>;
function readJson<T = unknown>(path: string | string[], options?: { deadLetter?: false }): PTransform<PBegin, PCollection<T>>;
function readJson<T = unknown>(path: string | string[], options: { deadLetter?: boolean } = {}): PTransform<PBegin, PCollection<T> | JsonLinesReadOutputs<T>> {
  return new TextRead<PCollection<T> | JsonLinesReadOutputs<T>>(Array.isArray(path) ? path : [path], true, options.deadLetter === true);
}

export const TextIO = {
  /** Lines of the files a path, directory or glob names (without their `\n` / `\r\n`). */
  read(path: string | string[]): PTransform<PBegin, PCollection<string>> {
    return new TextRead<PCollection<string>>(Array.isArray(path) ? path : [path], false, false);
  },
  /** One JSON value per non-blank line; `{ deadLetter: true }` gives `{ values, deadLetter }`. */
  readJsonLines: readJson,
  /** Writes each element as a line (`String(v)`) to `<prefix>-SSSSS-of-NNNNN<suffix>`; outputs the paths. */
  write<T = string>(prefix: string, options: TextWriteOptions = {}): PTransform<PCollection<T>, PCollection<string>> {
    return new TextWrite<T>(prefix, false, options);
  },
  /** Writes each element as one JSON line (bigints as strings); outputs the paths. */
  writeJsonLines<T = unknown>(prefix: string, options: TextWriteOptions = {}): PTransform<PCollection<T>, PCollection<string>> {
    return new TextWrite<T>(prefix, true, options);
  },
};
