/** The ParDo unit alone, on in-memory elements: lifecycle, tagged outputs, the timestamp rule. */
import { describe, expect, it } from 'vitest';
import { ParDoOperator } from '../../runners/exec/pardo.js';
import { OutputRouter } from '../../runners/exec/output-router.js';
import { FanOut, type Receiver } from '../../runners/exec/unit.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { Metrics } from '../../sdk/metrics/metrics.js';
import { DoFn, type FinishBundleContext, type ProcessContext } from '../../sdk/transforms/dofn.js';
import { Map as MapOf } from '../../sdk/transforms/element-wise.js';
import type { Instant } from '../../sdk/time/instant.js';
import { inGlobalWindow, type WindowedValue } from '../../sdk/values/windowed-value.js';
import { GlobalWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import type { PaneInfo } from '../../sdk/values/pane.js';

function sink(): Receiver & { got: WindowedValue<unknown>[] } {
  const got: WindowedValue<unknown>[] = [];
  return { got, receive: (wv) => void got.push(wv) };
}

class Splitter extends DoFn<number, number, { odd: number }> {
  calls: string[] = [];
  override setup() { this.calls.push('setup'); }
  override startBundle() { this.calls.push('startBundle'); }
  process(n: number, ctx: ProcessContext<number, { odd: number }>) {
    Metrics.counter('test', 'seen').inc(1);
    if (n % 2) ctx.outputTo('odd', n);
    else ctx.outputWithTimestamp(n, (ctx.timestamp + 1) as Instant);
  }
  override finishBundle(ctx: FinishBundleContext<number, { odd: number }>) {
    this.calls.push('finishBundle');
    ctx.output(-1, 100 as Instant, GlobalWindow.INSTANCE);
  }
  override teardown() { this.calls.push('teardown'); }
}

function unit(fn: DoFn<number, number, never>, tagged = new Map<string, Receiver>()) {
  const main = sink();
  const metrics = new MetricsContainer('Split');
  const op = new ParDoOperator({ name: 'Split', fn: fn as never, main, tagged, elementWise: false, maxConcurrency: 1, sideInputs: new Map(), metrics });
  return { op, main, metrics };
}

describe('ParDo unit', () => {
  it('runs the lifecycle in order, routes tagged outputs and attributes metrics', async () => {
    const fn = new Splitter();
    const odd = sink();
    const { op, main, metrics } = unit(fn as never, new Map([['odd', odd]]));
    await op.setup();
    op.receive(inGlobalWindow(1, 10 as Instant));
    op.receive(inGlobalWindow(2, 10 as Instant));
    op.finishBundle();
    await op.teardown();
    expect(fn.calls).toEqual(['setup', 'startBundle', 'finishBundle', 'teardown']);
    expect(odd.got.map((wv) => wv.value)).toEqual([1]);
    expect(main.got.map((wv) => [wv.value, wv.timestamp])).toEqual([[2, 11], [-1, 100]]);
    expect(metrics.counters.get('test\u0000seen')?.value).toBe(2);
  });

  it('a synchronous process with an asynchronous finishBundle: what finishBundle counts after an await is attributed', async () => {
    class Flusher extends DoFn<number, number> {
      private held = 0;
      process(): void {
        this.held++;
      }
      override async finishBundle(): Promise<void> {
        await new Promise((r) => setImmediate(r));
        Metrics.counter('test', 'flushed').inc(this.held);
        this.held = 0;
      }
    }
    const { op, metrics } = unit(new Flusher() as never);
    await op.setup();
    op.receive(inGlobalWindow(1, 10 as Instant));
    op.receive(inGlobalWindow(2, 10 as Instant));
    await op.finishBundle();
    expect(metrics.counters.get('test\u0000flushed')?.value).toBe(2);
  });

  it('an undeclared tag and a too-early timestamp fail with the router\'s words, naming the transform', () => {
    class Stray extends DoFn<number, number> {
      process(n: number, ctx: ProcessContext<number>) {
        if (n === 1) (ctx as unknown as ProcessContext<number, { nope: number }>).outputTo('nope', n);
        else ctx.outputWithTimestamp(n, 0 as Instant);
      }
    }
    const { op } = unit(new Stray() as never);
    expect(() => op.receive(inGlobalWindow(1, 5 as Instant))).toThrow('transform "Split" failed in process: output tag "nope" was not declared; declared tags: none');
    expect(() => op.receive(inGlobalWindow(2, 5 as Instant))).toThrow(/no earlier than the input's .* minus the allowed skew \(0 ms\)/);
  });

  it('between operators that take elements apart, every output keeps its timestamp, window and pane', () => {
    // Two windows, a pane of its own: a non-element-wise DoFn sees each window apart.
    const pane: PaneInfo = { isFirst: false, isLast: true, timing: 'LATE', index: 3, onTimeIndex: 1 };
    const w1 = new IntervalWindow(0 as Instant, 10 as Instant);
    const w2 = new IntervalWindow(5 as Instant, 15 as Instant);
    class Twice extends DoFn<number, number> {
      process(n: number, ctx: ProcessContext<number>) {
        ctx.output(n * 10);
        ctx.outputWithTimestamp(n * 10 + 1, (ctx.timestamp + 2) as Instant);
      }
    }
    const parts: unknown[][] = [];
    const byParts: Receiver = {
      receive: () => expect.unreachable('a receiver that takes parts is handed parts'),
      receiveParts: (value, timestamp, windows, p) => void parts.push([value, timestamp, windows, p]),
    };
    const whole = sink();
    const metrics = new MetricsContainer('Twice');
    const second = new ParDoOperator({ name: 'Twice', fn: new Twice() as never, main: new FanOut([byParts, whole]), tagged: new Map(), elementWise: false, maxConcurrency: 1, sideInputs: new Map(), metrics });
    const first = new ParDoOperator({ name: 'Pass', fn: new Twice() as never, main: second, tagged: new Map(), elementWise: true, maxConcurrency: 1, sideInputs: new Map(), metrics });
    first.receive({ value: 1, timestamp: 7 as Instant, windows: [w1, w2], pane });
    // Pass (element-wise) keeps both windows together: 10 @7 and 11 @9; Twice splits them.
    const expected = [
      [100, 7, [w1], pane], [101, 9, [w1], pane], [100, 7, [w2], pane], [101, 9, [w2], pane],
      [110, 9, [w1], pane], [111, 11, [w1], pane], [110, 9, [w2], pane], [111, 11, [w2], pane],
    ];
    expect(parts).toEqual(expected);
    expect(whole.got.map((wv) => [wv.value, wv.timestamp, wv.windows, wv.pane])).toEqual(expected);
  });

  it('Map.of called directly once it proved synchronous: outputs, metrics, errors and a late promise as through its DoFn', async () => {
    const calls: number[] = [];
    const fn = (n: number): number | Promise<number> => {
      calls.push(n);
      Metrics.counter('test', 'mapped').inc(1);
      if (n === 4) throw new Error('four is refused');
      return n === 3 ? Promise.resolve(30) : n * 10; // 3: a promise after several synchronous calls
    };
    const parts: unknown[][] = [];
    const main: Receiver = { receive: (wv) => void parts.push([wv.value, wv.timestamp]), receiveParts: (v, ts) => void parts.push([v, ts]) };
    const metrics = new MetricsContainer('Times10');
    const map = MapOf.of(fn);
    const op = new ParDoOperator({ name: 'Times10', fn: (map as unknown as { desc: { fn: never } }).desc.fn, main, tagged: new Map(), elementWise: true, maxConcurrency: 4, sideInputs: new Map(), metrics });
    for (const n of [1, 2, 3]) op.receive(inGlobalWindow(n, (n * 100) as Instant));
    await op.drain();
    expect(parts).toEqual([[10, 100], [20, 200], [30, 300]]);
    expect(() => op.receive(inGlobalWindow(4, 400 as Instant))).toThrow('transform "Times10" failed in process: four is refused');
    expect(calls).toEqual([1, 2, 3, 4]);
    expect(metrics.counters.get('test\u0000mapped')?.value).toBe(4);
  });

  it('the router alone: skew allows earlier timestamps up to its bound', () => {
    const router = new OutputRouter(sink(), new Map(), 10);
    expect(() => router.checkOutputTimestamp(100 as Instant, 90 as Instant)).not.toThrow();
    expect(() => router.checkOutputTimestamp(100 as Instant, 89 as Instant)).toThrow(/allowed skew \(10 ms\)/);
  });
});
