/**
 * The shared runner suite: every runner passes the same cases, asserting through PAssert and
 * metrics (which work whether the DoFns ran in this process or in workers). A runner states what
 * it cannot do through capabilities, each skip with its reason.
 */
import { describe, expect, it } from 'vitest';
import { caseUnless, type Skips } from './skips.js';
import {
  ApproximateCountDistinct,
  Coders,
  Combine,
  CoGroupByKey,
  Count,
  Create,
  Distinct,
  DoFn,
  Duration,
  Filter,
  FlatMap,
  Flatten,
  GlobalWindow,
  GroupByKey,
  Instant,
  type FinishBundleContext,
  KeyedPCollectionTuple,
  Keys,
  KvSwap,
  Map,
  Max,
  Mean,
  Metrics,
  Min,
  ParDo,
  Partition,
  PCollectionList,
  Pipeline,
  Reshuffle,
  Sample,
  Sessions,
  Sum,
  ToList,
  Top,
  UserCodeError,
  Values,
  View,
  Window,
  WithKeys,
  kv,
  type KV,
  type PipelineRunner,
  type ProcessContext,
} from '../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import type { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { TestStream } from '../../sdk/testing/test-stream.js';

export interface RunnerCapabilities {
  /** Why the runner cannot run async DoFns concurrently, if it cannot. */
  readonly noAsyncConcurrency?: string;
  /** Cases this runner cannot run, by title, each with the reason (see docs/runners.md). */
  readonly skip?: Skips;
}

/** Appended to a case's name where a runner skips it, so the report says why. */
export function skipReason(why: string | undefined): string {
  return why === undefined ? '' : ` [skipped on this runner: ${why}]`;
}

export function runnerSuite(name: string, makeRunner: () => PipelineRunner, caps: RunnerCapabilities = {}): void {
  const it = caseUnless(caps.skip);
  /** Runs the pipeline and checks that every PAssert in it ran and passed. */
  async function runAndAssert(p: Pipeline, assertions: number) {
    const result = makeRunner().run(p);
    await result.waitUntilFinish();
    expect(result.state).toBe('DONE');
    expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(assertions);
    return result;
  }

  describe(`runner suite: ${name}`, () => {
    it('fails on a bad assertion (the harness can fail)', async () => {
      const p = new Pipeline();
      PAssert.that(p.apply(Create.of([1, 2, 3]))).containsInAnyOrder([1, 2, 4]);
      const result = makeRunner().run(p);
      // "got" lists what arrived, in arrival order (which no runner promises).
      await expect(result.waitUntilFinish()).rejects.toThrow(/expected \[1, 2, 4\] in any order, got \[(1, 2, 3|1, 3, 2|2, 1, 3|2, 3, 1|3, 1, 2|3, 2, 1)\]/);
      expect(result.state).toBe('FAILED');
    });

    it('Create, Map, FlatMap, Filter', async () => {
      const p = new Pipeline();
      const words = p.apply(Create.of(['a b', 'c', '', 'd e f']));
      const split = words.apply(FlatMap.of((line: string) => line.split(' ').filter((w) => w)));
      PAssert.that(split).containsInAnyOrder(['a', 'b', 'c', 'd', 'e', 'f']);
      PAssert.that(split.apply(Map.of((w: string) => w.toUpperCase()))).containsInAnyOrder(['A', 'B', 'C', 'D', 'E', 'F']);
      PAssert.that(split.apply(Filter.by((w: string) => w > 'c'))).containsInAnyOrder(['d', 'e', 'f']);
      await runAndAssert(p, 3);
    });

    it('WithKeys, Keys, Values, KvSwap', async () => {
      const p = new Pipeline();
      const keyed = p.apply(Create.of(['apple', 'avocado', 'banana'])).apply(WithKeys.of((s: string) => s[0]!));
      PAssert.that(keyed).containsInAnyOrder([kv('a', 'apple'), kv('a', 'avocado'), kv('b', 'banana')]);
      PAssert.that(keyed.apply(Keys.create<string>())).containsInAnyOrder(['a', 'a', 'b']);
      PAssert.that(keyed.apply(Values.create<string>())).containsInAnyOrder(['apple', 'avocado', 'banana']);
      PAssert.that(keyed.apply(KvSwap.create<string, string>())).containsInAnyOrder([kv('apple', 'a'), kv('avocado', 'a'), kv('banana', 'b')]);
      await runAndAssert(p, 4);
    });

    it('GroupByKey groups by encoded key, including object keys', async () => {
      const p = new Pipeline();
      const grouped = p
        .apply(Create.of([kv('a', 1), kv('b', 2), kv('a', 3)]))
        .apply(GroupByKey.create<string, number>())
        .apply(Map.of((e: KV<string, number[]>) => kv(e.key, [...e.value].sort())));
      PAssert.that(grouped).containsInAnyOrder([kv('a', [1, 3]), kv('b', [2])]);
      const byObject = p
        .apply('ObjectKeys', Create.of([kv({ x: 1, y: 2 }, 'p'), kv({ y: 2, x: 1 }, 'q'), kv({ x: 2, y: 2 }, 'r')]))
        .apply('GroupObjects', GroupByKey.create<{ x: number; y: number }, string>())
        .apply('Sizes', Map.of((e: KV<{ x: number; y: number }, string[]>) => e.value.length));
      PAssert.that(byObject).containsInAnyOrder([2, 1]);
      await runAndAssert(p, 2);
    });

    it('CoGroupByKey joins by key', async () => {
      const p = new Pipeline();
      const emails = p.apply('Emails', Create.of([kv('amy', 'amy@x'), kv('carl', 'carl@x'), kv('amy', 'amy@y')]));
      const phones = p.apply('Phones', Create.of([kv('amy', '111'), kv('bob', '222')]));
      const joined = KeyedPCollectionTuple.of({ emails, phones })
        .apply(CoGroupByKey.create())
        .apply(Map.of((e: KV<string, { emails: string[]; phones: string[] }>) => ({ name: e.key, emails: [...e.value.emails].sort(), phones: e.value.phones })));
      PAssert.that(joined).containsInAnyOrder([
        { name: 'amy', emails: ['amy@x', 'amy@y'], phones: ['111'] },
        { name: 'bob', emails: [], phones: ['222'] },
        { name: 'carl', emails: ['carl@x'], phones: [] },
      ]);
      await runAndAssert(p, 1);
    });

    it('Combine.perKey and Combine.globally, with the default for empty input', async () => {
      const p = new Pipeline();
      const nums = p.apply(Create.of([kv('a', 1), kv('b', 5), kv('a', 2)]));
      PAssert.that(nums.apply(Sum.perKey<string>())).containsInAnyOrder([kv('a', 3), kv('b', 5)]);
      PAssert.that(nums.apply(Values.create<number>()).apply(Sum.globally())).containsInAnyOrder([8]);
      PAssert.that(p.apply('Empty', Create.of<number>([])).apply('SumEmpty', Sum.globally())).containsInAnyOrder([0]);
      const concat = Combine.globally<string, string>({
        createAccumulator: () => [] as string[],
        addInput: (acc: string[], v: string) => [...acc, v],
        mergeAccumulators: (accs: Iterable<string[]>) => [...accs].flat(),
        extractOutput: (acc: string[]) => [...acc].sort().join(''),
      });
      PAssert.that(p.apply('Letters', Create.of(['c', 'a', 'b'])).apply(concat)).containsInAnyOrder(['abc']);
      await runAndAssert(p, 4);
    });

    /** Sessions of a 5-minute gap, in minutes. a: 0,4 join; 20 alone; 34 bridges 30 and 38; 50,54
     *  join, 64 apart; 100 and 105 touch (apart) until 103 bridges them. b: 0,3 join; 10 alone. */
    const sessionEvents = (p: Pipeline) =>
      p
        .apply(Create.timestamped([
          ...[0, 4, 20, 30, 38, 34, 50, 54, 64, 100, 105, 103].map((m) => ({ value: kv('a', m), timestamp: Instant.ofEpochMillis(m * 60_000) })),
          ...[0, 10, 3].map((m) => ({ value: kv('b', m), timestamp: Instant.ofEpochMillis(m * 60_000) })),
        ]))
        .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(5))));
    /** Each output as text with its window in minutes, plus `context(ctx)`. */
    const described = <T,>(what: (e: T) => string, context: (ctx: ProcessContext<string>) => string) =>
      ParDo.of(new (class extends DoFn<T, string> {
        process(e: T, ctx: ProcessContext<string>): void {
          const w = ctx.window as IntervalWindow;
          ctx.output(`${what(e)} [${w.start / 60_000},${w.end / 60_000})${context(ctx)}`);
        }
      })());
    const sessionCounts = ['a n=2 [0,9)', 'a n=1 [20,25)', 'a n=3 [30,43)', 'a n=2 [50,59)', 'a n=1 [64,69)', 'a n=3 [100,110)', 'b n=2 [0,8)', 'b n=1 [10,15)'];

    it('session windows: Count.perKey and GroupByKey per merged session, in its window, at its end', async () => {
      const p = new Pipeline();
      const sessions = sessionEvents(p);
      const end = (w: string) => ` ts=${Number(/,(\d+)\)$/.exec(w)![1]) * 60_000 - 1}`;
      const stamp = (ctx: ProcessContext<string>) => ` ts=${ctx.timestamp}`;
      PAssert.that(sessions.apply(Count.perKey<string, number>()).apply('DescribeCounts', described((e: KV<string, number>) => `${e.key} n=${e.value}`, stamp))).containsInAnyOrder(sessionCounts.map((c) => c + end(c)));
      const groups = ['a 0,4 [0,9)', 'a 20 [20,25)', 'a 30,34,38 [30,43)', 'a 50,54 [50,59)', 'a 64 [64,69)', 'a 100,103,105 [100,110)', 'b 0,3 [0,8)', 'b 10 [10,15)'];
      PAssert.that(sessions.apply(GroupByKey.create<string, number>()).apply('DescribeGroups', described((e: KV<string, Iterable<number>>) => `${e.key} ${[...e.value].sort((x, y) => x - y).join(',')}`, stamp))).containsInAnyOrder(groups.map((g) => g + end(g)));
      await runAndAssert(p, 2);
    });

    it('session windows: each merged session fires one ON_TIME pane under the default trigger', async () => {
      const p = new Pipeline();
      const pane = (ctx: ProcessContext<string>) => ` ${ctx.pane.timing} #${ctx.pane.index} first=${ctx.pane.isFirst} last=${ctx.pane.isLast}`;
      PAssert.that(sessionEvents(p).apply(Count.perKey<string, number>()).apply('DescribePanes', described((e: KV<string, number>) => `${e.key} n=${e.value}`, pane))).containsInAnyOrder(sessionCounts.map((c) => `${c} ON_TIME #0 first=true last=true`));
      await runAndAssert(p, 1);
    });

    it('built-in combiners', async () => {
      const p = new Pipeline();
      const xs = p.apply(Create.of([5, 3, 9, 1, 3]));
      PAssert.that(xs.apply(Count.globally())).containsInAnyOrder([5]);
      PAssert.that(xs.apply(Count.perElement())).containsInAnyOrder([kv(5, 1), kv(3, 2), kv(9, 1), kv(1, 1)]);
      PAssert.that(xs.apply(Mean.globally())).containsInAnyOrder([4.2]);
      PAssert.that(xs.apply(Min.globally<number>())).containsInAnyOrder([1]);
      PAssert.that(xs.apply(Max.globally<number>())).containsInAnyOrder([9]);
      PAssert.that(xs.apply(Top.largest<number>(2))).containsInAnyOrder([[9, 5]]);
      PAssert.that(xs.apply(Top.smallest<number>(2))).containsInAnyOrder([[1, 3]]);
      PAssert.that(xs.apply(Distinct.create<number>())).containsInAnyOrder([5, 3, 9, 1]);
      PAssert.that(xs.apply(ToList.globally<number>()).apply(Map.of((l: number[]) => [...l].sort((a, b) => a - b)))).containsInAnyOrder([[1, 3, 3, 5, 9]]);
      PAssert.that(xs.apply(Sample.fixedSizeGlobally<number>(2))).satisfies((samples) => {
        if (samples.length !== 1 || samples[0]!.length !== 2) throw new Error(`expected one sample of 2, got ${JSON.stringify(samples)}`);
        for (const s of samples[0]!) if (![5, 3, 9, 1].includes(s)) throw new Error(`sampled ${s}, not an input`);
      });
      PAssert.that(xs.apply(Sample.any<number>(10)).apply(Map.of((l: number[]) => l.length))).containsInAnyOrder([5]);
      const perKey = p.apply('Keyed', Create.of([kv('a', 2), kv('a', 7), kv('b', 4)]));
      PAssert.that(perKey.apply(Count.perKey<string, number>())).containsInAnyOrder([kv('a', 2), kv('b', 1)]);
      PAssert.that(perKey.apply(Mean.perKey<string>())).containsInAnyOrder([kv('a', 4.5), kv('b', 4)]);
      PAssert.that(perKey.apply(Max.perKey<string, number>())).containsInAnyOrder([kv('a', 7), kv('b', 4)]);
      PAssert.that(perKey.apply(Top.largestPerKey<string, number>(1))).containsInAnyOrder([kv('a', [7]), kv('b', [4])]);
      PAssert.that(perKey.apply(ToList.perKey<string, number>()).apply(Map.of((e: KV<string, number[]>) => kv(e.key, [...e.value].sort())))).containsInAnyOrder([kv('a', [2, 7]), kv('b', [4])]);
      // a HyperLogLog sketch counts a handful of values exactly (sketches cross the shuffle as bytes)
      PAssert.that(xs.apply(ApproximateCountDistinct.globally<number>())).containsInAnyOrder([4]);
      PAssert.that(perKey.apply(ApproximateCountDistinct.perKey<string, number>())).containsInAnyOrder([kv('a', 2), kv('b', 1)]);
      await runAndAssert(p, 18);
    });

    it('Flatten, Partition, Reshuffle', async () => {
      const p = new Pipeline();
      const a = p.apply('A', Create.of([1, 2]));
      const b = p.apply('B', Create.of([3]));
      const all = PCollectionList.of([a, b]).apply(Flatten.pCollections<number>());
      PAssert.that(all).containsInAnyOrder([1, 2, 3]);
      const [even, odd] = p.apply('Nums', Create.of([1, 2, 3, 4, 5])).apply(Partition.of<number>(2, (n) => n % 2));
      PAssert.that(even!).containsInAnyOrder([2, 4]);
      PAssert.that(odd!).containsInAnyOrder([1, 3, 5]);
      PAssert.that(all.apply(Reshuffle.viaRandomKey<number>())).containsInAnyOrder([1, 2, 3]);
      await runAndAssert(p, 4);
    });

    it('side inputs: singleton, iterable, list, map, multimap', async () => {
      const p = new Pipeline();
      const factor = p.apply('Factor', Create.of([10]));
      const rates = p.apply('Rates', Create.of([kv('eur', 2), kv('usd', 1)]));
      const tags = p.apply('Tags', Create.of([kv('eur', 'euro'), kv('eur', 'emu'), kv('usd', 'dollar')]));
      class PriceFn extends DoFn<KV<string, number>, string, {}, { factor: number; rates: ReadonlyMap<string, number>; tags: ReadonlyMap<string, readonly string[]>; all: readonly number[]; each: Iterable<number> }> {
        process(e: KV<string, number>, ctx: ProcessContext<string, {}, { factor: number; rates: ReadonlyMap<string, number>; tags: ReadonlyMap<string, readonly string[]>; all: readonly number[]; each: Iterable<number> }>): void {
          const total = [...ctx.sideInput('each')].reduce((s, x) => s + x, 0);
          const tagList = [...(ctx.sideInput('tags').get(e.key) ?? [])].sort().join('+');
          ctx.output(`${e.key}:${e.value * ctx.sideInput('rates').get(e.key)! * ctx.sideInput('factor')}:${tagList}:${ctx.sideInput('all').length}:${total}`);
        }
      }
      const amounts = p.apply('Amounts', Create.of([kv('eur', 3), kv('usd', 4)]));
      const out = amounts.apply(
        ParDo.of(new PriceFn()).withSideInputs({
          factor: View.asSingleton(factor),
          rates: View.asMap(rates),
          tags: View.asMultimap(tags),
          all: View.asList(factor),
          each: View.asIterable(factor),
        }),
      );
      PAssert.that(out).containsInAnyOrder(['eur:60:emu+euro:1:10', 'usd:40:dollar:1:10']);
      await runAndAssert(p, 1);
    });

    it('a singleton side input with several elements fails the job, naming the side input', async () => {
      const p = new Pipeline();
      const many = p.apply('Many', Create.of([1, 2]));
      class ReadFn extends DoFn<number, number, {}, { one: number }> {
        process(x: number, ctx: ProcessContext<number, {}, { one: number }>): void {
          ctx.output(x + ctx.sideInput('one'));
        }
      }
      p.apply('Main', Create.of([1])).apply('Read', ParDo.of(new ReadFn()).withSideInputs({ one: View.asSingleton(many) }));
      await expect(makeRunner().run(p).waitUntilFinish()).rejects.toThrow(/side input "one" is a singleton view, but the PCollection has 2 elements/);
    });

    it('tagged outputs', async () => {
      const p = new Pipeline();
      class ParseFn extends DoFn<string, number, { errors: string; negatives: number }> {
        process(s: string, ctx: ProcessContext<number, { errors: string; negatives: number }>): void {
          const n = Number(s);
          if (Number.isNaN(n)) ctx.outputTo('errors', s);
          else if (n < 0) ctx.outputTo('negatives', n);
          else ctx.output(n);
        }
      }
      const out = p.apply(Create.of(['1', 'x', '-2', '3'])).apply(ParDo.of(new ParseFn()).withOutputTags('errors', 'negatives'));
      PAssert.that(out.main).containsInAnyOrder([1, 3]);
      PAssert.that(out.errors).containsInAnyOrder(['x']);
      PAssert.that(out.negatives).containsInAnyOrder([-2]);
      await runAndAssert(p, 3);
    });

    it('DoFn lifecycle: setup, startBundle, finishBundle and teardown run; finishBundle can output', async () => {
      const p = new Pipeline();
      class LifecycleFn extends DoFn<number, number> {
        private sum = 0;
        private readonly calls = Metrics.counter('lifecycle', 'setup');
        private readonly tears = Metrics.counter('lifecycle', 'teardown');
        override setup(): void {
          this.calls.inc();
        }
        override startBundle(): void {
          this.sum = 0;
        }
        process(x: number): void {
          this.sum += x;
        }
        override finishBundle(ctx: FinishBundleContext<number>): void {
          ctx.output(this.sum, Instant.MIN, GlobalWindow.INSTANCE);
        }
        override teardown(): void {
          this.tears.inc();
        }
      }
      const out = p.apply(Create.of([1, 2, 3])).apply(ParDo.of(new LifecycleFn()));
      PAssert.that(out.apply(Sum.globally())).containsInAnyOrder([6]);
      const result = await runAndAssert(p, 1);
      expect(result.metrics().counter('setup', { namespace: 'lifecycle' })).toBeGreaterThanOrEqual(1);
      expect(result.metrics().counter('teardown', { namespace: 'lifecycle' })).toBe(result.metrics().counter('setup', { namespace: 'lifecycle' }));
    });

    it.skipIf(caps.noAsyncConcurrency !== undefined)(`async DoFns: awaited values (never Promises) reach downstream, with bounded concurrency${skipReason(caps.noAsyncConcurrency)}`, async () => {
      const p = new Pipeline();
      let inFlight = 0;
      let peak = 0;
      const enrich = async (x: number): Promise<number> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        Metrics.gauge('async', 'peakInFlight').set(peak);
        await new Promise<void>((r) => setImmediate(r));
        inFlight--;
        Metrics.counter('async', 'calls').inc();
        return x * 2;
      };
      const out = p.apply(Create.of(Array.from({ length: 100 }, (_, i) => i))).apply(Map.of(enrich, { maxConcurrency: 4 }));
      PAssert.that(out.apply(Sum.globally())).containsInAnyOrder([9900]);
      const result = await runAndAssert(p, 1);
      expect(result.metrics().counter('calls', { namespace: 'async' })).toBe(100);
      const peakSeen = result.metrics().gauge('peakInFlight', { namespace: 'async' })!;
      expect(peakSeen).toBeGreaterThan(1);
      expect(peakSeen).toBeLessThanOrEqual(4);
    });

    it('generator and async-generator DoFns', async () => {
      const p = new Pipeline();
      class RepeatFn extends DoFn<number, number> {
        *process(x: number): Generator<number> {
          for (let i = 0; i < x; i++) yield x;
        }
      }
      const pulled = Metrics.counter('generators', 'asyncPulled');
      class AsyncRepeatFn extends DoFn<number, number> {
        async *process(x: number): AsyncGenerator<number> {
          for (let i = 0; i < x; i++) {
            await Promise.resolve();
            pulled.inc();
            yield -x;
          }
        }
      }
      const xs = p.apply(Create.of([1, 2, 3]));
      PAssert.that(xs.apply(ParDo.of(new RepeatFn()))).containsInAnyOrder([1, 2, 2, 3, 3, 3]);
      PAssert.that(xs.apply(ParDo.of(new AsyncRepeatFn()))).containsInAnyOrder([-1, -2, -2, -3, -3, -3]);
      const result = await runAndAssert(p, 2);
      // Metrics updated inside an async generator's body are attributed to its transform.
      expect(result.metrics().counter('asyncPulled', { namespace: 'generators' })).toBe(6);
    });

    it('a generator of many values through Map.of into a keyed and a global combine', async () => {
      // (the direct runner hands these on in runs: generator -> Map.of -> the grouping's loop)
      const p = new Pipeline();
      class Count extends DoFn<number, number> {
        *process(n: number): Generator<number> {
          for (let i = 0; i < n; i++) yield i;
        }
      }
      const mapped = Metrics.counter('runs', 'mapped');
      const xs = p.apply(Create.of([1000, 700])).apply(ParDo.of(new Count()));
      const keyed = xs.apply('Key', Map.of((i: number) => (mapped.inc(), kv(`k${i % 7}`, i))));
      const sums = new globalThis.Map<string, number>();
      for (const n of [1000, 700]) for (let i = 0; i < n; i++) sums.set(`k${i % 7}`, (sums.get(`k${i % 7}`) ?? 0) + i);
      PAssert.that(keyed.apply(Sum.perKey<string>())).containsInAnyOrder([...sums].map(([k, v]) => kv(k, v)));
      PAssert.that(xs.apply('Double', Map.of((i: number) => 2 * i)).apply(Sum.globally())).containsInAnyOrder([2 * ((999 * 1000) / 2 + (699 * 700) / 2)]);
      const result = await runAndAssert(p, 2);
      expect(result.metrics().counter('mapped', { namespace: 'runs' })).toBe(1700);
    });

    it('a throwing DoFn fails the job with the error and the transform name', async () => {
      const p = new Pipeline();
      p.apply(Create.of([1, 2, 3])).apply(
        'Explode',
        Map.of((x: number) => {
          if (x === 2) throw new Error('boom on 2');
          return x;
        }),
      );
      const result = makeRunner().run(p);
      const error = await result.waitUntilFinish().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserCodeError);
      expect((error as Error).message).toBe('transform "Explode" failed in process: boom on 2');
      expect(result.state).toBe('FAILED');
    });

    it('a rejecting async DoFn fails the job the same way', async () => {
      const p = new Pipeline();
      p.apply(Create.of([1])).apply(
        'Lookup',
        Map.of(async (): Promise<number> => {
          await Promise.resolve();
          throw new Error('service unavailable');
        }),
      );
      await expect(makeRunner().run(p).waitUntilFinish()).rejects.toThrow('transform "Lookup" failed in process: service unavailable');
    });

    it('runtime errors name the transform: undeclared output tag, output before the allowed skew, bad partition index', async () => {
      const undeclared = new Pipeline();
      class StrayTagFn extends DoFn<number, number, { extra: number }> {
        process(x: number, ctx: ProcessContext<number, { extra: number }>): void {
          ctx.outputTo('extra', x);
        }
      }
      undeclared.apply(Create.of([1])).apply('Stray', ParDo.of(new StrayTagFn()));
      await expect(makeRunner().run(undeclared).waitUntilFinish()).rejects.toThrow(
        'transform "Stray" failed in process: output tag "extra" was not declared; declared tags: none (use ParDo.of(fn).withOutputTags(...))',
      );

      const skewed = new Pipeline();
      class BackInTimeFn extends DoFn<number, number> {
        process(x: number, ctx: ProcessContext<number>): void {
          ctx.outputWithTimestamp(x, Instant.ofEpochMillis(ctx.timestamp - 1000));
        }
      }
      skewed
        .apply(Create.timestamped([{ value: 1, timestamp: Instant.ofEpochMillis(5000) }]))
        .apply('Back', ParDo.of(new BackInTimeFn()));
      await expect(makeRunner().run(skewed).waitUntilFinish()).rejects.toThrow(
        /transform "Back" failed in process: cannot output with timestamp 1970-01-01T00:00:04.000Z: output timestamps must be no earlier than the input's \(1970-01-01T00:00:05.000Z\) minus the allowed skew \(0 ms\)/,
      );

      const partitioned = new Pipeline();
      partitioned.apply(Create.of([1])).apply('Split', Partition.of<number>(2, () => 7));
      await expect(makeRunner().run(partitioned).waitUntilFinish()).rejects.toThrow(
        'transform "Split/Split" failed in process: the partition function returned 7; it must be an integer in [0, 2)',
      );
    });

    it('a key that does not fit the declared key coder is a coder mismatch naming the PCollection', async () => {
      const p = new Pipeline();
      p.apply('Pairs', Create.of([kv(1 as unknown as string, 'x')]))
        .withCoder(Coders.kv(Coders.string(), Coders.string()))
        .apply(GroupByKey.create<string, string>());
      await expect(makeRunner().run(p).waitUntilFinish()).rejects.toThrow(
        'coder mismatch on PCollection "Pairs/Emit": key 1 is not a string, but the key coder is beam:coder:string_utf8:v1',
      );
    });

    it('cancel stops the job: state CANCELLED, no further bundles', async () => {
      const p = new Pipeline();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const after = Metrics.counter('cancel', 'after');
      const stream = TestStream.create<number>().addElements({ value: 1, timestamp: Instant.ofEpochMillis(0) }).advanceWatermarkTo(Instant.ofEpochMillis(10)).addElements({ value: 2, timestamp: Instant.ofEpochMillis(20) });
      p.apply(stream.advanceWatermarkToInfinity()).apply(
        'Wait',
        Map.of(async (x: number) => {
          if (x === 1) await gate;
          else after.inc();
          return x;
        }),
      );
      const result = makeRunner().run(p);
      expect(result.state).toBe('RUNNING');
      const cancelled = result.cancel();
      release();
      await cancelled;
      expect(await result.waitUntilFinish()).toBe('CANCELLED');
      expect(result.state).toBe('CANCELLED');
      expect(result.metrics().counter('after', { namespace: 'cancel' })).toBe(0);
    });

    it("a CombineFn's metrics count under its Combine's step, not the step feeding it", async () => {
      const added = Metrics.counter('combine', 'added');
      const p = new Pipeline();
      p.apply(Create.of([kv('a', 1), kv('a', 2), kv('b', 3)]))
        .apply('Feed', Map.of((e: KV<string, number>) => e))
        .apply(
          'SumCounted',
          Combine.perKey({
            createAccumulator: () => 0,
            addInput: (acc: number, v: number) => (added.inc(), acc + v),
            mergeAccumulators: (accs: Iterable<number>) => [...accs].reduce((a, b) => a + b, 0),
            extractOutput: (acc: number) => acc,
          }),
        );
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      const m = result.metrics();
      expect(m.counter('added', { namespace: 'combine' })).toBe(3);
      expect(m.counter('added', { namespace: 'combine', step: 'SumCounted' })).toBe(3);
      expect(m.counter('added', { namespace: 'combine', step: 'Feed' })).toBe(0);
    });

    it('a throwing CombineFn fails the job with an error naming its Combine', async () => {
      const p = new Pipeline();
      p.apply(Create.of([kv('a', 1), kv('a', -2)])).apply(
        'NoNegatives',
        Combine.perKey({
          createAccumulator: () => 0,
          addInput: (acc: number, v: number) => {
            if (v < 0) throw new Error(`negative ${v}`);
            return acc + v;
          },
          mergeAccumulators: (accs: Iterable<number>) => [...accs].reduce((a, b) => a + b, 0),
          extractOutput: (acc: number) => acc,
        }),
      );
      const result = makeRunner().run(p);
      const error = await result.waitUntilFinish().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UserCodeError);
      expect((error as Error).message).toMatch(/transform "NoNegatives.*" failed in addInput: negative -2/);
    });

    it('user metrics: counters, distributions, gauges per transform', async () => {
      const p = new Pipeline();
      const seen = Metrics.counter('words', 'seen');
      const lengths = Metrics.distribution('words', 'length');
      const last = Metrics.gauge('words', 'lastLength');
      p.apply(Create.of(['a', 'bb', 'ccc'])).apply(
        'Measure',
        Map.of((w: string) => {
          seen.inc();
          lengths.update(w.length);
          last.set(w.length);
          return w;
        }),
      );
      const result = makeRunner().run(p);
      await result.waitUntilFinish();
      const m = result.metrics();
      expect(m.counter('seen', { step: 'Measure' })).toBe(3);
      expect(m.distribution('length')).toMatchObject({ count: 3, sum: 6, min: 1, max: 3, mean: 2 });
      expect([1, 2, 3]).toContain(m.gauge('lastLength'));
    });
  });
}
