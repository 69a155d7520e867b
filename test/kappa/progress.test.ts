/** The progress reporter's rendering, from fixed ReplayProgress values. */
import { describe, expect, it } from 'vitest';
import { ProgressReporter, progressLogLine, renderProgressBar, type ReplayProgress } from '../../io/kappa/index.js';
import { formatCount, formatDuration, formatWatermark } from '../../io/kappa/progress.js';
import { Instant } from '../../sdk/index.js';

const at = (iso: string) => Date.parse(iso) as Instant;
const base: ReplayProgress = {
  event: 'partition',
  source: 'gps',
  partition: 'dt=2024-01-01/hr=10',
  partitionsCompleted: 12,
  partitionsTotal: 48,
  filesCompleted: 30,
  filesTotal: 120,
  fractionComplete: 0.25,
  rows: 1_234_567,
  rowsPerSecond: 45_678.4,
  watermark: at('2024-01-01T11:00:00Z'),
  etaMs: 42_000,
  elapsedMs: 14_000,
  done: false,
  sources: { gps: { partitionsCompleted: 12, partitionsTotal: 48, filesCompleted: 30, filesTotal: 120, rows: 1_234_567, outOfRange: 3, rowGroupsSkipped: 1, bytesFetched: 9_000 } },
};

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, stream: { isTTY, write: (s: string) => void out.push(s) } };
}

describe('renderProgressBar', () => {
  it('shows partitions completed of total, rows/s, the watermark and the ETA', () => {
    expect(renderProgressBar(base, { label: 'backfill', width: 8 })).toBe(
      'backfill [██░░░░░░]  25%  12/48 partitions  1,234,567 rows  45,678 rows/s  wm 2024-01-01T11:00Z  ETA 0:42',
    );
  });

  it('before the first step: −∞ and no ETA', () => {
    expect(renderProgressBar({ ...base, partitionsCompleted: 0, fractionComplete: 0, rows: 0, rowsPerSecond: 0, watermark: Instant.MIN, etaMs: undefined }, { width: 4 })).toBe(
      '[░░░░]   0%  0/48 partitions  0 rows  0 rows/s  wm −∞  ETA --:--',
    );
  });

  it('when done: a full bar, +∞ and the elapsed time', () => {
    expect(renderProgressBar({ ...base, partitionsCompleted: 48, fractionComplete: 1, watermark: Instant.MAX, etaMs: 0, elapsedMs: 3_725_000, done: true }, { width: 4 })).toBe(
      '[████] 100%  48/48 partitions  1,234,567 rows  45,678 rows/s  wm +∞  done in 1:02:05',
    );
  });
});

describe('progressLogLine', () => {
  it('is one JSON object with every figure', () => {
    const line = progressLogLine(base, { label: 'backfill', time: Date.parse('2024-05-01T10:00:00Z') });
    expect(JSON.parse(line)).toEqual({
      time: '2024-05-01T10:00:00.000Z',
      event: 'kappa.progress',
      label: 'backfill',
      kind: 'partition',
      source: 'gps',
      partition: 'dt=2024-01-01/hr=10',
      partitionsCompleted: 12,
      partitionsTotal: 48,
      filesCompleted: 30,
      filesTotal: 120,
      fractionComplete: 0.25,
      rows: 1_234_567,
      rowsPerSecond: 45_678,
      watermark: '2024-01-01T11:00:00.000Z',
      etaSeconds: 42,
      elapsedSeconds: 14,
      done: false,
      sources: base.sources,
    });
    expect(line).not.toContain('\n');
  });

  it('writes −∞ and a null ETA before the first step', () => {
    const o = JSON.parse(progressLogLine({ ...base, watermark: Instant.MIN, etaMs: undefined }));
    expect(o.watermark).toBe('−∞');
    expect(o.etaSeconds).toBeNull();
    expect(o.time).toBeUndefined();
  });
});

describe('ProgressReporter', () => {
  it('on a TTY redraws one line in place and ends it when done', () => {
    const { out, stream } = sink(true);
    const r = new ProgressReporter({ stream, width: 4 });
    r.onProgress({ ...base, partitionsCompleted: 24, fractionComplete: 0.5, rows: 10, rowsPerSecond: 1234 });
    r.onProgress({ ...base, partitionsCompleted: 48, fractionComplete: 1, rows: 20, rowsPerSecond: 5, watermark: Instant.MAX, done: true, etaMs: 0 });
    const first = '\r[██░░]  50%  24/48 partitions  10 rows  1,234 rows/s  wm 2024-01-01T11:00Z  ETA 0:42';
    const second = '\r[████] 100%  48/48 partitions  20 rows  5 rows/s  wm +∞  done in 0:14';
    // The second line is shorter than the first: padded with spaces over it.
    expect(out).toEqual([first, second.padEnd(first.length), '\n']);
    r.finish();
    expect(out).toHaveLength(3);
  });

  it('elsewhere, in json format, writes one JSON line per event', () => {
    const { out, stream } = sink(false);
    const r = new ProgressReporter({ stream, label: 'b', now: () => 0, format: 'json' });
    r.onProgress(base);
    r.onProgress({ ...base, done: true });
    r.finish();
    expect(out).toHaveLength(2);
    expect(out.every((l) => l.endsWith('}\n'))).toBe(true);
    expect(out.map((l) => JSON.parse(l).done)).toEqual([false, true]);
    expect(r.last?.done).toBe(true);
  });

  it('follows an explicit tty choice over the stream', () => {
    const { out, stream } = sink(true);
    new ProgressReporter({ stream, tty: false, format: 'json' }).onProgress(base);
    expect(out[0]!.startsWith('{')).toBe(true);
  });

  it('elsewhere, in text format, writes a readable line at most every interval, and always the last', () => {
    const { out, stream } = sink(false);
    let now = 0;
    const r = new ProgressReporter({ stream, label: 'b', now: () => now, intervalMs: 5000, format: 'text' });
    for (let k = 1; k <= 12; k++) {
      now = k * 1000; // one event a second
      r.onProgress({ ...base, partitionsCompleted: k });
    }
    r.onProgress({ ...base, partitionsCompleted: 48, watermark: Instant.MAX, done: true, elapsedMs: 14_000 });
    // events at 1 s, 6 s and 11 s pass the 5 s pacing; the final one always does
    expect(out.map((l) => /^b (\d+)\/48/.exec(l)?.[1])).toEqual(['1', '6', '11', '48']);
    expect(out[0]).toBe('b 1/48 partitions (2%)  1,234,567 rows  45,678 rows/s  wm 2024-01-01T11:00Z  ETA 0:42\n');
    expect(out[3]).toContain('wm +∞  done in 0:14');
  });

  it('takes its format from TRIBUTARY_LOG when none is given', () => {
    const { out, stream } = sink(false);
    const before = process.env.TRIBUTARY_LOG;
    process.env.TRIBUTARY_LOG = 'json';
    try {
      new ProgressReporter({ stream }).onProgress(base);
    } finally {
      if (before === undefined) delete process.env.TRIBUTARY_LOG;
      else process.env.TRIBUTARY_LOG = before;
    }
    expect(JSON.parse(out[0]!).event).toBe('kappa.progress');
  });
});

describe('formatting helpers', () => {
  it('groups counts, formats durations and watermarks', () => {
    expect([formatCount(0), formatCount(999), formatCount(1000), formatCount(12_345_678)]).toEqual(['0', '999', '1,000', '12,345,678']);
    expect([formatDuration(0), formatDuration(7_400), formatDuration(754_000), formatDuration(3_723_000)]).toEqual(['0:00', '0:07', '12:34', '1:02:03']);
    expect([formatWatermark(at('2024-01-01T11:00:00Z')), formatWatermark(at('2024-01-01T11:00:05Z')), formatWatermark(at('2024-01-01T11:00:05.250Z'))]).toEqual([
      '2024-01-01T11:00Z',
      '2024-01-01T11:00:05Z',
      '2024-01-01T11:00:05.250Z',
    ]);
  });
});
