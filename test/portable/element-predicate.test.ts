// The element-predicate trigger (the talk's EarlyResultEventTimeTrigger) and a late-data output
// on both runners: the direct runner groups natively, the portable runner (Prism) through the
// submission's expansion into a stateful ParDo (runners/portable/expand-windowing.ts). The same
// pipeline must give the same panes — contents, timing, index, last pane, window — on each. The
// workers run in this process (loopback), so a pane's text is collected in memory on both.
import { describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import {
  AfterCount,
  AfterElementMatches,
  AfterWatermark,
  Duration,
  FixedWindows,
  GroupByKey,
  Instant,
  IntervalWindow,
  Map,
  ParDo,
  Pipeline,
  Repeatedly,
  Sessions,
  Window,
  DoFn,
  kv,
  type KV,
  type PCollection,
  type PipelineRunner,
  type ProcessContext,
} from '../../sdk/index.js';
import { TestStream } from '../../sdk/testing/test-stream.js';
import { usePrism } from '../servers/prism/prism.js';

const prism = usePrism();
const MIN = 60_000;
const at = (minute: number) => Instant.ofEpochMillis(minute * MIN);
const msg = (id: string, minute: number) => ({ value: kv('u1', id), timestamp: at(minute) });
/** The talk's end message: ids starting with `e`. */
const isEnd = (id: string) => id.startsWith('e');

/** What the pipelines below emit, by run. */
const seen = new globalThis.Map<string, string[]>();

/** Each pane as text: sorted ids, timing, index, last, window in minutes. */
class DescribePane extends DoFn<KV<string, Iterable<string>>, string> {
  constructor(readonly run: string) {
    super();
  }
  process(e: KV<string, Iterable<string>>, ctx: ProcessContext<string>): void {
    const w = ctx.window as IntervalWindow;
    const text = `${[...e.value].sort().join('')} ${ctx.pane.timing}#${ctx.pane.index}${ctx.pane.isLast ? ' last' : ''} ${w.start / MIN}-${w.end / MIN}`;
    seen.get(this.run)!.push(text);
    ctx.output(text);
  }
}

class Record extends DoFn<string, string> {
  constructor(readonly run: string) {
    super();
  }
  process(s: string, ctx: ProcessContext<string>): void {
    seen.get(this.run)!.push(s);
    ctx.output(s);
  }
}

type Case = (input: PCollection<KV<string, string>>, run: string) => void;

/** The case's pipeline on `runner`: what it emitted, sorted. */
async function emitted(runner: PipelineRunner, stream: TestStream<KV<string, string>>, build: Case): Promise<string[]> {
  const run = `run${seen.size}`;
  seen.set(run, []);
  const p = new Pipeline();
  build(p.apply(stream), run);
  const result = runner.run(p);
  await result.waitUntilFinish();
  expect(result.state).toBe('DONE');
  return [...seen.get(run)!].sort();
}

function grouped(window: Window<KV<string, string>>): Case {
  return (input, run) => {
    input.apply(window).apply(GroupByKey.create<string, string>()).apply(ParDo.of(new DescribePane(run)));
  };
}

const sessions = () => Window.into<KV<string, string>>(Sessions.withGapDuration(Duration.hours(1)));
const talkTrigger = AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterElementMatches.of(isEnd, 'isEnd'));

/** Runs `build` on both runners; the portable runner's panes must be the direct runner's. */
async function onBoth(stream: TestStream<KV<string, string>>, build: Case): Promise<string[]> {
  const direct = await emitted(new DirectRunner(), stream, build);
  const portable = await emitted(new PortableRunner({ jobEndpoint: prism.current.endpoint }), stream, build);
  expect(portable).toEqual(direct);
  return direct;
}

describe('the element-predicate trigger and late-data outputs: the portable runner gives the direct runner\'s panes', () => {
  it("the talk's case 1: a straggler before the early firing is in the EARLY pane (accumulating)", async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('a', 0), msg('b', 10), msg('e', 12))
      .advanceWatermarkTo(at(11))
      .addElements(msg('c', 11))
      .advanceWatermarkTo(at(13))
      .advanceWatermarkTo(at(80))
      .advanceWatermarkToInfinity();
    expect(await onBoth(stream, grouped(sessions().triggering(talkTrigger).accumulatingFiredPanes()))).toEqual(['abce EARLY#0 0-72', 'abce ON_TIME#1 last 0-72']);
  });

  it("the talk's case 2, discarding, and sessions merged by a later trip: each end message fires early", async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('a', 0), msg('e1', 12))
      .advanceWatermarkTo(at(13))
      .addElements(msg('c', 11), msg('f', 50), msg('e2', 70))
      .advanceWatermarkTo(at(71))
      .advanceWatermarkTo(at(200))
      .advanceWatermarkToInfinity();
    const panes = await onBoth(stream, grouped(sessions().triggering(talkTrigger).discardingFiredPanes()));
    // Discarding: the on-time pane of the merged session is empty, and fires (FIRE_ALWAYS).
    expect(panes).toEqual([' ON_TIME#2 last 0-130', 'ae1 EARLY#0 0-72', 'ce2f EARLY#1 0-130']);
  });

  it('late firings after the watermark, within the allowed lateness; fixed windows; Repeatedly(AfterElementMatches)', async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('a', 1), msg('e1', 2), msg('b', 3))
      .advanceWatermarkTo(at(5))
      .addElements(msg('e2', 4), msg('x', 31))
      .advanceWatermarkTo(at(31))
      .addElements(msg('late', 6))
      .advanceWatermarkTo(at(100))
      .advanceWatermarkToInfinity();
    const window = Window.into<KV<string, string>>(FixedWindows.of(Duration.minutes(30)))
      .triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(Repeatedly.forever(AfterElementMatches.of(isEnd, 'isEnd'))).withLateFirings(AfterCount.of(1)))
      .withAllowedLateness(Duration.minutes(10))
      .accumulatingFiredPanes();
    const panes = await onBoth(stream, grouped(window));
    expect(panes).toContain('abe1e2late LATE#3 0-30');
  });

  it('a late-data output: elements past the allowed lateness go there, counted', async () => {
    const stream = TestStream.create<KV<string, string>>()
      .addElements(msg('a', 0))
      .advanceWatermarkTo(at(200))
      .addElements(msg('x', -20))
      .advanceWatermarkToInfinity();
    const build: Case = (input, run) => {
      const g = input
        .apply(sessions().withAllowedLateness(Duration.minutes(10)))
        .apply(GroupByKey.create<string, string>().withLateDataOutput());
      g.main.apply(ParDo.of(new DescribePane(run)));
      g.late.apply(Map.of((e: KV<string, string>) => `late ${e.value}`)).apply(ParDo.of(new Record(run)));
    };
    // the watermark jumps past the end (60) and the GC time (70) at once: timers fire in order, the
    // end-of-window one first with the watermark just past 60, so the ON_TIME pane is not yet the
    // last; the GC then closes the window with nothing new to fire
    expect(await onBoth(stream, build)).toEqual(['a ON_TIME#0 0-60', 'late x']);
  });
});
