/**
 * Data sampling on the Fn API wire: a runner's SampleDataRequest answered with elements of the
 * bundle's PCollections, encoded with their windowed-value coders (value, timestamp, windows,
 * pane), first the opening elements and then about one per interval on a virtual clock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fnExecution as fn } from '../../portability-proto/index.js';
import { samplingRequested } from '../../runners/harness/data-sampling.js';
import { startHarness, type RunningHarness } from '../../runners/harness/harness.js';
import { optionsToStruct } from '../../runners/harness/staging.js';
import { Create, DoFn, ParDo, Pipeline, type Instant } from '../../sdk/index.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { TestFnApiRunner, cut, decodeAll, encodeAll, type Cut } from './fn-api-runner.js';

class Double extends DoFn<number, number> {
  process(n: number): number[] {
    return [n * 2];
  }
}

const at = (value: number, ts: number): WindowedValue<number> => ({ value, timestamp: ts as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });

function decodeSample(c: Cut, pc: string, list: fn.SampleDataResponse.IElementList | undefined) {
  const bytes = (list?.elements ?? []).map((e) => e.element!);
  return bytes.flatMap((b) => decodeAll(c.wire(pc), b)).map((wv) => [wv.value, wv.timestamp]);
}

describe('harness data sampling (SampleDataRequest over a test runner on gRPC)', () => {
  const runner = new TestFnApiRunner();
  let sampled: RunningHarness;
  let plain: RunningHarness;
  let doubled: Cut;
  let clock = 0;

  beforeAll(async () => {
    await runner.start();
    const p = new Pipeline();
    p.apply('Numbers', Create.of([1])).apply('Double', ParDo.of(new Double()));
    doubled = cut(p, ['Double'], runner.url, 'doubled');
    sampled = await startHarness({ id: 's', controlEndpoint: runner.url, userFns: doubled.userFns, dataSampling: { perPCollection: 3, intervalMs: 1000, now: () => clock } });
    const reg = await runner.instruct({ register: { processBundleDescriptor: [doubled.descriptor] } });
    expect(reg.error).toBe('');
  });

  afterAll(async () => {
    await sampled?.stop();
    await runner.stop();
  });

  it('answers with the first elements of each PCollection, decodable with its coder, then nothing already taken', async () => {
    const input = doubled.pcOf('Numbers');
    const output = doubled.pcOf('Double');
    const out = await runner.bundle('doubled', { data: { [doubled.source(input)]: encodeAll(doubled.wire(input), [at(1, 10), at(2, 20), at(3, 30), at(4, 40), at(5, 50)]) } });
    expect(out.response.error).toBe('');
    const answer = await runner.instruct({ sampleData: { pcollectionIds: [input, output] } });
    expect(answer.error).toBe('');
    const samples = answer.sampleData!.elementSamples!;
    expect(decodeSample(doubled, input, samples[input])).toEqual([[1, 10], [2, 20], [3, 30]]);
    expect(decodeSample(doubled, output, samples[output])).toEqual([[2, 10], [4, 20], [6, 30]]);
    const again = await runner.instruct({ sampleData: { pcollectionIds: [] } });
    expect(again.sampleData!.elementSamples).toEqual({});
  });

  it('after the first elements keeps about one per interval, by the clock', async () => {
    const input = doubled.pcOf('Numbers');
    const output = doubled.pcOf('Double');
    // 5 elements seen so far; the next sample is due at clock 1000 and the clock is read every
    // 64th element: of these 200, the 59th (the 64th of the PCollection) is kept, then no other
    // until the clock moves on.
    clock = 5000;
    const values = Array.from({ length: 200 }, (_, i) => at(100 + i, 1000 + i));
    await runner.bundle('doubled', { data: { [doubled.source(input)]: encodeAll(doubled.wire(input), values) } });
    const answer = await runner.instruct({ sampleData: { pcollectionIds: [] } });
    expect(decodeSample(doubled, input, answer.sampleData!.elementSamples![input])).toEqual([[158, 1058]]);
    expect(decodeSample(doubled, output, answer.sampleData!.elementSamples![output])).toEqual([[316, 1058]]);
  });

  it('a harness the runner did not ask to sample says how to turn it on', async () => {
    const other = new TestFnApiRunner();
    await other.start();
    try {
      plain = await startHarness({ id: 'p', controlEndpoint: other.url, userFns: doubled.userFns });
      const answer = await other.instruct({ sampleData: { pcollectionIds: [] } });
      expect(answer.error).toContain('--experiments=enable_data_sampling');
    } finally {
      await plain?.stop();
      await other.stop();
    }
  });

  it('the enable_data_sampling experiment in the provisioned options turns it on', () => {
    expect(samplingRequested(optionsToStruct({ experiments: ['beam_fn_api', 'enable_data_sampling'] }))).toBe(true);
    expect(samplingRequested(optionsToStruct({ experiments: 'enable_data_sampling' }))).toBe(true);
    expect(samplingRequested({ fields: { 'beam:option:experiments:v1': { listValue: { values: [{ stringValue: 'enable_data_sampling' }] } } } })).toBe(true);
    expect(samplingRequested(optionsToStruct({ experiments: ['beam_fn_api'] }))).toBe(false);
    expect(samplingRequested(undefined)).toBe(false);
  });
});
