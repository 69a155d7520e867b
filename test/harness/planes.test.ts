/**
 * The harness's Fn API planes on the wire: a test runner (real gRPC server) registers bundle
 * descriptors cut from real pipeline protos, sends elements and timers, serves state, and reads
 * what comes back. Control (register, process bundle, progress, split, metadata), data (elements,
 * timers, is_last), state (bag user state, iterable side inputs), logging (a failure's entry).
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fnExecution as fn, pipeline as beam } from '../../portability-proto/index.js';
import { startHarness, type RunningHarness } from '../../runners/harness/harness.js';
import { HarnessStartError } from '../../runners/harness/errors.js';
import { Coders, DoFn, Instant, Metrics, ParDo, Pipeline, Create, View, kv, type Coder, type KV, type ProcessContext, type PCollection } from '../../sdk/index.js';
import { ByteReader } from '../../sdk/coders/index.js';
import { StatefulDoFn, StateSpecs, TimerSpecs, type FiredTimer, type OnTimerContext, type StatefulProcessContext } from '../../sdk/state/index.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { TestFnApiRunner, cut, decodeAll, encodeAll, type Cut } from './fn-api-runner.js';

class Shout extends DoFn<string, string, { long: string }> {
  process(w: string, ctx: ProcessContext<string, { long: string }>) {
    Metrics.counter('test', 'words').inc(1);
    if (w.length > 3) ctx.outputTo('long', w);
    ctx.output(w.toUpperCase());
  }
}

const sumState = { seen: StateSpecs.bag<number>(Coders.varint()) };
const flushTimer = { flush: TimerSpecs.eventTime() };
/** Keeps each key's values; a timer 10 ms after the first outputs their sum and clears them. */
class SumOnTimer extends StatefulDoFn<string, number, string, typeof sumState, typeof flushTimer> {
  constructor() {
    super({ state: sumState, timers: flushTimer });
  }
  process(e: KV<string, number>, ctx: StatefulProcessContext<string, string, typeof sumState, typeof flushTimer>) {
    ctx.state.seen.add(e.value);
    ctx.timers.flush.set((ctx.timestamp + 10) as Instant);
  }
  override onTimer(_t: FiredTimer<typeof flushTimer>, ctx: OnTimerContext<string, string, typeof sumState, typeof flushTimer>) {
    const sum = [...ctx.state.seen.read()].reduce((a, b) => a + b, 0);
    ctx.output(`${ctx.key}=${sum}`);
    ctx.state.seen.clear();
  }
}

class Tag extends DoFn<string, string, {}, { tags: readonly string[] }> {
  process(w: string, ctx: ProcessContext<string, {}, { tags: readonly string[] }>) {
    ctx.output(`${w}:${ctx.sideInput('tags').join('+')}`);
  }
}

class Explode extends DoFn<string, string> {
  process(w: string): string[] {
    if (w === 'boom') throw new Error('exploded on purpose');
    return [w];
  }
}

const at = <T>(value: T, ts = 0): WindowedValue<T> => ({ value, timestamp: ts as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });

describe('SDK harness on the Fn API wire (a test runner over gRPC)', () => {
  const runner = new TestFnApiRunner();
  let harness: RunningHarness;
  let words: Cut;
  let sums: Cut;
  let tagged: Cut;
  let failing: Cut;

  beforeAll(async () => {
    await runner.start();
    const p1 = new Pipeline();
    p1.apply('Words', Create.of(['a', 'bird', 'c'])).apply('Shout', ParDo.of(new Shout()).withOutputTags('long'));
    words = cut(p1, ['Shout'], runner.url, 'words');

    const p2 = new Pipeline();
    (p2.apply('Pairs', Create.of([kv('x', 1)])).withCoder(Coders.kv(Coders.string(), Coders.varint())) as PCollection<KV<string, number>>).apply('Sum', ParDo.of(new SumOnTimer()));
    sums = cut(p2, ['Sum'], runner.url, 'sums');

    const p3 = new Pipeline();
    const tags = p3.apply('Tags', Create.of(['t1', 't2']));
    p3.apply('Main', Create.of(['m'])).apply('Tag', ParDo.of(new Tag()).withSideInputs({ tags: View.asList(tags) }));
    tagged = cut(p3, ['Tag'], runner.url, 'tagged');

    const p4 = new Pipeline();
    p4.apply('In', Create.of(['ok'])).apply('Explode', ParDo.of(new Explode()));
    failing = cut(p4, ['Explode'], runner.url, 'failing');

    const userFns = new Map([...words.userFns, ...sums.userFns, ...tagged.userFns, ...failing.userFns]);
    harness = await startHarness({ id: 'w1', controlEndpoint: runner.url, loggingEndpoint: runner.url, userFns });
    const reg = await runner.instruct({ register: { processBundleDescriptor: [words.descriptor, sums.descriptor, tagged.descriptor, failing.descriptor] } });
    expect(reg.error).toBe('');
  });

  afterAll(async () => {
    await harness?.stop();
    await runner.stop();
  });

  it('runs a ParDo bundle: elements in, main and tagged outputs out, metrics in the response', async () => {
    const input = words.pcOf('Words');
    const main = words.pcOf('Shout');
    const long = words.pcOf('Shout', 'long');
    const out = await runner.bundle('words', { data: { [words.source(input)]: encodeAll(words.wire(input), [at('a'), at('bird', 5), at('c')]) } });
    expect(out.response.error).toBe('');
    expect(decodeAll(words.wire(main), out.data.get(words.sink(main))).map((wv) => [wv.value, wv.timestamp])).toEqual([['A', 0], ['BIRD', 5], ['C', 0]]);
    expect(decodeAll(words.wire(long), out.data.get(words.sink(long))).map((wv) => wv.value)).toEqual(['bird']);
    const infos = out.response.processBundle!.monitoringInfos as beam.MonitoringInfo[];
    const counter = infos.find((i) => i.labels.NAME === 'words')!;
    expect(counter.labels.PTRANSFORM).toBe(words.id('Shout'));
    expect(new ByteReader(counter.payload).readVarInt()).toBe(3);
    // Short ids: the payload under an id whose metadata the runner can ask for.
    const data = out.response.processBundle!.monitoringData!;
    const shortId = Object.keys(data).find((k) => Buffer.from(data[k]!).equals(Buffer.from(counter.payload)))!;
    const meta = await runner.instruct({ monitoringInfos: { monitoringInfoId: [shortId] } });
    expect(meta.monitoringInfos!.monitoringInfo![shortId]!.urn).toBe('beam:metric:user:sum_int64:v1');
    // A second bundle reports its own counts, not a running total.
    const again = await runner.bundle('words', { data: { [words.source(input)]: encodeAll(words.wire(input), [at('d')]) } });
    const c2 = (again.response.processBundle!.monitoringInfos as beam.MonitoringInfo[]).find((i) => i.labels.NAME === 'words')!;
    expect(new ByteReader(c2.payload).readVarInt()).toBe(1);
  });

  it('elements split across data chunks decode whole; a truncated last element is a clear error', async () => {
    const input = words.pcOf('Words');
    const main = words.pcOf('Shout');
    const bytes = encodeAll(words.wire(input), [at('split'), at('me')]);
    const out = await runner.bundle('words', { data: { [words.source(input)]: [bytes.slice(0, 7), bytes.slice(7, 20), bytes.slice(20)] } });
    expect(out.response.error).toBe('');
    expect(decodeAll(words.wire(main), out.data.get(words.sink(main))).map((wv) => wv.value)).toEqual(['SPLIT', 'ME']);
    const cutShort = await runner.bundle('words', { data: { [words.source(input)]: bytes.slice(0, 7) } });
    expect(cutShort.response.error).toMatch(/data source "source:.*" cannot decode element 1/);
  });

  it('keeps stateful DoFn state in the runner (bag state) and sends timers on the data plane', async () => {
    const input = sums.pcOf('Pairs');
    const outPc = sums.pcOf('Sum');
    const sumId = sums.id('Sum');
    const first = await runner.bundle('sums', {
      data: { [sums.source(input)]: encodeAll(sums.wire(input), [at(kv('x', 1), 100), at(kv('x', 2), 101), at(kv('y', 5), 100)]) },
      closeTimers: [[sumId, 'flush']],
    });
    expect(first.response.error).toBe('');
    expect(first.data.get(sums.sink(outPc))?.length ?? 0).toBe(0);
    // Timers out: one per key (x moved to 111 by its second element, written twice), with hold.
    const payload = beam.ParDoPayload.decode(sums.descriptor.transforms![sumId]!.spec!.payload!);
    const timerCoder = sums.coder(payload.timerFamilySpecs.flush!.timerFamilyCoderId ?? '');
    const timers = decodeAll(timerCoder, first.timers.get(`${sumId}/flush`)) as Array<{ userKey: string; fireTimestamp: number }>;
    expect(timers.map((t) => [t.userKey, t.fireTimestamp])).toEqual([['x', 110], ['x', 111], ['y', 110]]);
    expect(runner.bags.size).toBe(2);
    // The runner fires x's timer in the next bundle: onTimer reads the state it kept.
    const fired = encodeAll(timerCoder, [{ userKey: 'x', dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp: 111, holdTimestamp: 111, pane: NO_FIRING }]);
    const second = await runner.bundle('sums', { data: { [sums.source(input)]: new Uint8Array() }, timers: { [sumId]: { flush: fired } }, closeTimers: [[sumId, 'flush']] }, [{ userState: {}, token: Buffer.from('t1') }]);
    expect(second.response.error).toBe('');
    expect(decodeAll(sums.wire(outPc), second.data.get(sums.sink(outPc))).map((wv) => [wv.value, wv.timestamp])).toEqual([['x=3', 111]]);
    expect(runner.bags.size).toBe(1); // x cleared, y kept
  });

  it('reads an iterable side input over the state plane, once per window and bundle', async () => {
    const input = tagged.pcOf('Main');
    const outPc = tagged.pcOf('Tag');
    const tagId = tagged.id('Tag');
    const tagsPc = beam.PTransform.fromObject(tagged.descriptor.transforms![tagId]!).inputs['side:tags']!;
    runner.sideInputs.set(`${tagId}/side:tags/`, encodeAll(tagged.coder(tagged.descriptor.pcollections![tagsPc]!.coderId!), ['t1', 't2']));
    const before = runner.stateRequests.length;
    const out = await runner.bundle('tagged', { data: { [tagged.source(input)]: encodeAll(tagged.wire(input), [at('m'), at('n')]) } });
    expect(out.response.error).toBe('');
    expect(decodeAll(tagged.wire(outPc), out.data.get(tagged.sink(outPc))).map((wv) => wv.value)).toEqual(['m:t1+t2', 'n:t1+t2']);
    expect(runner.stateRequests.length - before).toBe(1);
  });

  it('a failing bundle answers with the error, naming the transform, and logs it', async () => {
    const input = failing.pcOf('In');
    const out = await runner.bundle('failing', { data: { [failing.source(input)]: encodeAll(failing.wire(input), [at('boom')]) } });
    expect(out.response.error).toMatch(/transform "Explode" failed in process: exploded on purpose/);
    await runner.logged((l) => l.severity === fn.LogEntry.Severity.Enum.ERROR && /exploded on purpose/.test(l.message));
    expect(runner.logs.filter((l) => l.severity === fn.LogEntry.Severity.Enum.ERROR).length).toBeGreaterThanOrEqual(1);
  });

  it('declines split requests and answers progress and finalization', async () => {
    expect((await runner.instruct({ processBundleSplit: { instructionId: 'none' } })).error).toBe('');
    expect((await runner.instruct({ processBundleProgress: { instructionId: 'none' } })).processBundleProgress).toBeTruthy();
    expect((await runner.instruct({ finalizeBundle: { instructionId: 'none' } })).error).toBe('');
  });

  it('an unreachable provision endpoint is a start error saying what to do', async () => {
    await expect(startHarness({ id: 'w2', provisionEndpoint: '127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toThrow(HarnessStartError);
    await expect(startHarness({ id: 'w2', provisionEndpoint: '127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toThrow(/cannot reach the provision endpoint 127.0.0.1:1 .* check that the runner is up/);
  });

  it('provisioning: the harness asks for its endpoints and staged program, and says what went wrong with the artifact', async () => {
    runner.artifacts.set('tributary-program.mjs', new Uint8Array());
    await expect(startHarness({ id: 'w4', provisionEndpoint: runner.url, connectTimeoutMs: 5_000 })).rejects.toThrow(
      /the staged "tributary-program.mjs" arrived empty from 127.0.0.1:\d+: it was lost in staging/,
    );
    runner.artifacts.set('tributary-program.mjs', new TextEncoder().encode('export default function ('));
    await expect(startHarness({ id: 'w4', provisionEndpoint: runner.url, connectTimeoutMs: 5_000 })).rejects.toThrow(/the staged program \(25 bytes from 127.0.0.1:\d+\) does not load/);
    runner.artifacts.clear();
    await expect(startHarness({ id: 'w4', provisionEndpoint: runner.url, connectTimeoutMs: 5_000 })).rejects.toThrow(/the runner staged no "tributary-program.mjs" artifact \(staged: none\)/);
  });

  it('started by a runner, a harness whose program does not load fails each bundle with the reason, and ends with it', async () => {
    runner.artifacts.set('tributary-program.mjs', new TextEncoder().encode('throw new Error("no database here");'));
    const harness = await startHarness({ id: 'w5', provisionEndpoint: runner.url, connectTimeoutMs: 5_000, failBundlesOnStartError: true });
    try {
      expect((await runner.instruct({ register: { processBundleDescriptor: [] } })).error).toBe('');
      const out = await runner.bundle('any', {});
      expect(out.response.error).toMatch(/HarnessStartError: the staged program \(\d+ bytes from 127.0.0.1:\d+\) does not load: .*no database here/);
      await runner.logged((l) => l.severity === fn.LogEntry.Severity.Enum.ERROR && /w5 cannot run the job: .*no database here/.test(l.message));
    } finally {
      runner.artifacts.clear();
      await harness.stop();
    }
    await expect(harness.done).rejects.toThrow(/no database here/);
  });

  it('the staged program is written to a folder of its own and removed once loaded, whether it loads or not', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'planes-tmp-'));
    const saved = process.env['TMPDIR'];
    process.env['TMPDIR'] = tmp;
    try {
      runner.artifacts.set('tributary-program.mjs', new TextEncoder().encode('export default function ('));
      await expect(startHarness({ id: 'w6', provisionEndpoint: runner.url, connectTimeoutMs: 5_000 })).rejects.toThrow(/does not load/);
      expect(readdirSync(tmp)).toEqual([]);
      // A program that builds itself (as a bundle does) and loads: the harness starts, the folder is gone.
      runner.artifacts.set('tributary-program.mjs', new TextEncoder().encode('export default function () {}\nexport async function buildSubmission() { return { proto: new Uint8Array(), userFns: new Map() }; }'));
      const harness = await startHarness({ id: 'w6', provisionEndpoint: runner.url, connectTimeoutMs: 5_000 });
      await harness.stop();
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      runner.artifacts.clear();
      if (saved === undefined) delete process.env['TMPDIR'];
      else process.env['TMPDIR'] = saved;
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('without a program and a way to fetch one, the harness refuses to start', async () => {
    await expect(startHarness({ id: 'w3', controlEndpoint: runner.url })).rejects.toThrow(/needs the user program: start it with --provision_endpoint and --artifact_endpoint/);
  });
});
