/**
 * Shows a replay's progress (`KappaReplayOptions.onProgress`): on a terminal, one line redrawn in
 * place — partitions completed of total, rows/s, the watermark, ETA; elsewhere (a log file, CI,
 * a pipe) a readable line every few seconds and at the end, or, with `format: 'json'` (the CLI's
 * `--log=json`, environment `TRIBUTARY_LOG=json`), one JSON object per event for log pipelines. The same figures are metrics
 * (`kappa/partitionsCompleted`, `partitionsTotal`, `rowsPerSecond`, `watermark`, `etaSeconds`).
 *
 *   const progress = new ProgressReporter({ label: 'backfill' });
 *   p.apply(KappaReplay.group(tables, { onProgress: progress.onProgress }));
 *
 * The rendering functions are pure, so tests feed them fixed `ReplayProgress` values.
 */
import { Instant } from '../../sdk/index.js';
import type { ReplayProgress } from './options.js';

export interface ProgressReporterOptions {
  /** Where to write (default `process.stderr`, so results on stdout stay clean). */
  readonly stream?: { write(s: string): unknown; readonly isTTY?: boolean };
  /** Force the bar (true) or JSON lines (false); default: the bar when the stream is a TTY. */
  readonly tty?: boolean;
  /** Shown first on the line and as `label` in JSON lines. */
  readonly label?: string;
  /** Characters of the bar (default 24). */
  readonly width?: number;
  /** Wall-clock time for the JSON lines' `time` field and the text lines' pacing (default `Date.now`). */
  readonly now?: () => number;
  /** Off a terminal: readable lines (`text`) or JSON lines (`json`); default from the
   *  environment's `TRIBUTARY_LOG`, else `text`. */
  readonly format?: 'text' | 'json';
  /** Off a terminal, in `text` format: the least time between two lines (default 5000 ms). */
  readonly intervalMs?: number;
}

export class ProgressReporter {
  private readonly stream: { write(s: string): unknown; readonly isTTY?: boolean };
  private readonly tty: boolean;
  private lastLength = 0;
  private open = false;
  private readonly format: 'text' | 'json';
  private lastLineAt = -Infinity;
  /** The last progress received. */
  last: ReplayProgress | undefined;

  constructor(private readonly options: ProgressReporterOptions = {}) {
    this.stream = options.stream ?? process.stderr;
    this.tty = options.tty ?? this.stream.isTTY === true;
    this.format = options.format ?? (process.env.TRIBUTARY_LOG === 'json' ? 'json' : 'text');
  }

  /** Pass as `onProgress`. */
  readonly onProgress = (p: ReplayProgress): void => {
    this.last = p;
    if (this.tty) {
      const line = renderProgressBar(p, this.options);
      // Redraw in place; pad over a longer previous line (no ANSI needed beyond \r).
      const pad = this.lastLength > line.length ? ' '.repeat(this.lastLength - line.length) : '';
      this.stream.write(`\r${line}${pad}`);
      this.lastLength = line.length;
      this.open = true;
      if (p.done) this.finish();
    } else if (this.format === 'json') {
      this.stream.write(progressLogLine(p, { label: this.options.label, time: (this.options.now ?? Date.now)() }) + '\n');
    } else {
      const now = (this.options.now ?? Date.now)();
      if (!p.done && now - this.lastLineAt < (this.options.intervalMs ?? 5000)) return;
      this.lastLineAt = now;
      this.stream.write(renderProgressLine(p, this.options) + '\n');
    }
  };

  /** Ends the bar's line (a no-op for JSON lines, or when already ended). */
  finish(): void {
    if (this.tty && this.open) this.stream.write('\n');
    this.open = false;
    this.lastLength = 0;
  }
}

/** `label [██████░░░░]  12/48 partitions  3,400 rows/s  wm 2024-01-01T11:00Z  ETA 0:42`. */
export function renderProgressBar(p: ReplayProgress, opts: { readonly label?: string; readonly width?: number } = {}): string {
  const width = opts.width ?? 24;
  const fraction = Math.min(1, Math.max(0, p.fractionComplete));
  const filled = Math.round(fraction * width);
  const bar = '█'.repeat(filled) + '░'.repeat(width - filled);
  const parts = [
    `${opts.label ? `${opts.label} ` : ''}[${bar}] ${String(Math.round(fraction * 100)).padStart(3)}%`,
    `${p.partitionsCompleted}/${p.partitionsTotal} partitions`,
    `${formatCount(p.rows)} rows`,
    `${formatCount(Math.round(p.rowsPerSecond))} rows/s`,
    `wm ${formatWatermark(p.watermark)}`,
    p.done ? `done in ${formatDuration(p.elapsedMs)}` : `ETA ${p.etaMs === undefined ? '--:--' : formatDuration(p.etaMs)}`,
  ];
  return parts.join('  ');
}

/** `label 12/48 partitions (25%)  340,000 rows  3,400 rows/s  wm 2024-01-01T11:00Z  ETA 0:42`: the
 *  bar's figures without the bar, for logs people read. */
export function renderProgressLine(p: ReplayProgress, opts: { readonly label?: string } = {}): string {
  const percent = p.partitionsTotal > 0 ? Math.round((100 * Math.min(1, p.partitionsCompleted / p.partitionsTotal))) : p.done ? 100 : 0;
  return [
    `${opts.label ? `${opts.label} ` : ''}${p.partitionsCompleted}/${p.partitionsTotal} partitions (${percent}%)`,
    `${formatCount(p.rows)} rows`,
    `${formatCount(Math.round(p.rowsPerSecond))} rows/s`,
    `wm ${formatWatermark(p.watermark)}`,
    p.done ? `done in ${formatDuration(p.elapsedMs)}` : `ETA ${p.etaMs === undefined ? '--:--' : formatDuration(p.etaMs)}`,
  ].join('  ');
}

/** One JSON object: every figure of the progress, the watermark as ISO text (or ±∞). */
export function progressLogLine(p: ReplayProgress, opts: { readonly label?: string; readonly time?: number } = {}): string {
  return JSON.stringify({
    ...(opts.time !== undefined ? { time: new Date(opts.time).toISOString() } : {}),
    event: 'kappa.progress',
    ...(opts.label ? { label: opts.label } : {}),
    kind: p.event,
    ...(p.source !== undefined ? { source: p.source } : {}),
    ...(p.partition !== undefined ? { partition: p.partition } : {}),
    ...(p.file !== undefined ? { file: p.file } : {}),
    partitionsCompleted: p.partitionsCompleted,
    partitionsTotal: p.partitionsTotal,
    filesCompleted: p.filesCompleted,
    filesTotal: p.filesTotal,
    fractionComplete: Math.round(p.fractionComplete * 1e4) / 1e4,
    rows: p.rows,
    rowsPerSecond: Math.round(p.rowsPerSecond),
    watermark: formatWatermark(p.watermark, true),
    etaSeconds: p.etaMs === undefined ? null : Math.round(p.etaMs / 1000),
    elapsedSeconds: Math.round(p.elapsedMs / 100) / 10,
    done: p.done,
    sources: p.sources,
  });
}

/** `1,234,567` (grouping fixed, whatever the locale). */
export function formatCount(n: number): string {
  return String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** `−∞`, `+∞`, or UTC ISO text without zero seconds/milliseconds (`2024-01-01T11:00Z`). */
export function formatWatermark(w: number, full = false): string {
  if (w <= Instant.MIN) return '−∞';
  if (w >= Instant.MAX) return '+∞';
  const iso = new Date(w).toISOString();
  if (full) return iso;
  return iso.replace(/:00\.000Z$/, 'Z').replace(/\.000Z$/, 'Z');
}

/** `0:07`, `12:34`, `1:02:03`. */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}
