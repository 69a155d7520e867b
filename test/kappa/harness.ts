/**
 * Helpers for the Kappa+ acceptance tests: tiny warehouses written as real Parquet files in a
 * temp directory, KAPPA.md's time notation, and one ordered log of everything observable — source
 * trace events, executor watermark moves, elements reaching the window operator, and panes.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { writeParquet } from '../../io/parquet/write.js';
import type { ReplayTraceEvent } from '../../io/kappa/index.js';
import {
  Combine,
  DoFn,
  Duration,
  FixedWindows,
  Instant,
  Map as MapT,
  ParDo,
  Sum,
  Window,
  kv,
  type IntervalWindow,
  type KV,
  type PCollection,
  type Pipeline,
  type PipelineResult,
  type ProcessContext,
} from '../../sdk/index.js';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;
const BASE = Date.UTC(2024, 0, 1);

/** KAPPA.md rule 1: `HH:MM[:SS[.mmm]]` on 2024-01-01, or with a date `2024-01-02 HH:MM`. */
export function t(s: string): number {
  const m = /^(?:(\d{4}-\d{2}-\d{2}) )?(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{3}))?)?$/.exec(s);
  if (!m) throw new Error(`bad time ${s}`);
  const day = m[1] ? Date.parse(`${m[1]}T00:00:00Z`) : BASE;
  return day + Number(m[2]) * HOUR + Number(m[3]) * 60_000 + Number(m[4] ?? 0) * 1000 + Number(m[5] ?? 0);
}

export function fmt(ms: number): string {
  if (ms >= Instant.MAX) return '+∞';
  if (ms <= Instant.MIN) return '−∞';
  const d = new Date(ms).toISOString();
  return ms - BASE < DAY && ms >= BASE ? d.slice(11, ms % 1000 ? 23 : ms % 60_000 ? 19 : 16) : d;
}

export interface Row {
  ts: number;
  key: string;
  value: number;
  id?: string;
}

const SCHEMA = { ts: 'timestamp', key: 'string', value: 'int32', id: 'string' } as const;

const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await rm(r, { recursive: true, force: true });
});

/** Writes `{ 'clicks/dt=2024-01-01/hr=00/f1.parquet': rows, 'clicks/dt=.../hr=01/': 'empty-dir' }` under a temp root. */
export async function warehouse(files: Record<string, readonly Partial<Row>[] | 'empty-dir' | string>): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'kappa-'));
  roots.push(root);
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    if (content === 'empty-dir') {
      await mkdir(full, { recursive: true });
    } else if (typeof content === 'string') {
      await mkdir(join(full, '..'), { recursive: true });
      const { writeFile } = await import('node:fs/promises');
      await writeFile(full, content);
    } else {
      await mkdir(join(full, '..'), { recursive: true });
      const rows = content.map((r) => ({ ts: r.ts ?? 0, key: r.key ?? '', value: r.value ?? 1, id: r.id ?? '' }));
      await writeParquet(full, rows, { schema: SCHEMA });
    }
  }
  return root;
}

export type LogEntry =
  | ReplayTraceEvent
  | { kind: 'executor-watermark'; operator: string; value: number }
  | { kind: 'element'; ts: number; key: string; value: number }
  | { kind: 'pane'; window: string; key: string; value: unknown; timing: string; index: number };

/** One ordered log shared by the source, the runner and the pipeline's probes. */
export class Observed {
  readonly log: LogEntry[] = [];
  readonly trace = (e: ReplayTraceEvent): void => void this.log.push(e);
  readonly runner = new DirectRunner({ trace: (e) => this.log.push({ kind: 'executor-watermark', operator: e.operator, value: e.value }) });

  /** Watermark moves seen at the input of operators whose name contains `operator`, formatted. */
  watermarksAt(operator: string): string[] {
    return this.log.filter((e): e is Extract<LogEntry, { kind: 'executor-watermark' }> => e.kind === 'executor-watermark' && e.operator.includes(operator)).map((e) => fmt(e.value));
  }

  panes(): string[] {
    return this.log.filter((e): e is Extract<LogEntry, { kind: 'pane' }> => e.kind === 'pane').map(paneText).sort();
  }

  indexOf(pred: (e: LogEntry) => boolean): number {
    return this.log.findIndex(pred);
  }

  lastIndexOf(pred: (e: LogEntry) => boolean): number {
    for (let i = this.log.length - 1; i >= 0; i--) if (pred(this.log[i]!)) return i;
    return -1;
  }

  async run(p: Pipeline): Promise<PipelineResult> {
    const result = this.runner.run(p);
    await result.waitUntilFinish();
    return result;
  }
}

export function paneText(e: Extract<LogEntry, { kind: 'pane' }>): string {
  return `${e.window} ${e.key}=${JSON.stringify(e.value)} ${e.timing} #${e.index}`;
}

class ProbeElements extends DoFn<KV<string, number>, KV<string, number>> {
  constructor(private readonly obs: Observed) {
    super();
  }
  process(e: KV<string, number>, ctx: ProcessContext<KV<string, number>>): void {
    this.obs.log.push({ kind: 'element', ts: ctx.timestamp, key: e.key, value: e.value });
    ctx.output(e);
  }
}

export class ProbePanes<V> extends DoFn<KV<string, V>, KV<string, V>> {
  constructor(private readonly obs: Observed) {
    super();
  }
  process(e: KV<string, V>, ctx: ProcessContext<KV<string, V>>): void {
    const w = ctx.window as IntervalWindow;
    this.obs.log.push({ kind: 'pane', window: `[${fmt(w.start)},${fmt(w.end)})`, key: e.key, value: e.value, timing: ctx.pane.timing, index: ctx.pane.index });
    ctx.output(e);
  }
}

/** KAPPA.md's default pipeline: key by `key`, 1-hour windows, sum of `value`, panes logged. */
export function hourlySums(rows: PCollection<Record<string, unknown>>, obs: Observed, windowSize = Duration.hours(1)): PCollection<KV<string, number>> {
  return rows
    .apply('KeyBy', MapT.of((r: Record<string, unknown>) => kv(r['key'] as string, Number(r['value']))))
    .apply('ReachesWindow', ParDo.of(new ProbeElements(obs)))
    .apply('Hourly', Window.into<KV<string, number>>(FixedWindows.of(windowSize)))
    .apply('SumPerKey', Sum.perKey<string>())
    .apply('Panes', ParDo.of(new ProbePanes<number>(obs)));
}

export { Combine };
