/** The flink runner's settings: checked flags, and the Beam pipeline options Flink reads. */
import { describe, expect, it } from 'vitest';
import { MetricResults } from '../../sdk/metrics/container.js';
import type { PipelineResult, PipelineState } from '../../sdk/runner-api.js';
import { DeferredResult } from '../../runners/flink/deferred-result.js';
import { beamFlinkOptions, flinkSettings, FlinkSetupError } from '../../runners/flink/flink-options.js';

describe('flink runner settings', () => {
  it('defaults to an embedded Flink, the mode left to the runner (streaming unless it chose batch)', () => {
    const s = flinkSettings({});
    expect(s).toEqual({ jobEndpoint: undefined, flinkMaster: '[local]', parallelism: undefined, checkpointingInterval: undefined, batch: undefined, maxBundleSize: undefined, premergeSessions: undefined });
    expect(flinkSettings({ premergeSessions: false }).premergeSessions).toBe(false);
    expect(beamFlinkOptions(s)).toEqual({ 'beam:option:streaming:v1': true });
  });

  it("writes parallelism, checkpointing and a given job server's master under Beam's option names", () => {
    const s = flinkSettings({ jobEndpoint: 'localhost:8099', flinkMaster: 'jm.example:8081', parallelism: '2', checkpointingInterval: 500, flinkBatch: true });
    expect(beamFlinkOptions(s, { streaming: false })).toEqual({
      'beam:option:streaming:v1': false,
      'beam:option:parallelism:v1': 2,
      'beam:option:checkpointing_interval:v1': 500,
      'beam:option:shutdown_sources_after_idle_ms:v1': 1000,
      'beam:option:finish_bundle_before_checkpointing:v1': true,
      'beam:option:flink_master:v1': 'jm.example:8081',
    });
  });

  it('runs a TestStream pipeline at parallelism 1, one element per bundle, unless the flags say otherwise', () => {
    // More per bundle and Beam's Flink runner holds the TestStream's watermark steps back until
    // the bundle closes: every event-time timer fired at the end (driving-score: 5 of 12 EARLY).
    expect(beamFlinkOptions(flinkSettings({}), { testStream: true })).toEqual({
      'beam:option:streaming:v1': true,
      'beam:option:parallelism:v1': 1,
      'beam:option:max_bundle_size:v1': 1,
    });
    expect(beamFlinkOptions(flinkSettings({ parallelism: 2, maxBundleSize: 50 }), { testStream: true })).toMatchObject({
      'beam:option:parallelism:v1': 2,
      'beam:option:max_bundle_size:v1': 50,
    });
    expect(beamFlinkOptions(flinkSettings({ maxBundleSize: 50 }))).toEqual({ 'beam:option:streaming:v1': true, 'beam:option:max_bundle_size:v1': 50 });
  });

  it('refuses malformed flags, naming the flag', () => {
    expect(() => flinkSettings({ maxBundleSize: 0.5 })).toThrow(/--maxBundleSize expects a whole number ≥ 1, got 0.5/);
    expect(() => flinkSettings({ parallelism: 0 })).toThrow(new FlinkSetupError('--parallelism expects a whole number ≥ 1, got 0'));
    expect(() => flinkSettings({ checkpointingInterval: 'often' })).toThrow(/--checkpointingInterval expects a whole number/);
    expect(() => flinkSettings({ flinkMaster: 'jobmanager' })).toThrow(/--flinkMaster expects \[local\].*got "jobmanager"/);
    expect(() => flinkSettings({ jobEndpoint: 'http://x' })).toThrow(/--jobEndpoint expects host:port/);
  });
});

class FixedResult implements PipelineResult {
  state: PipelineState = 'RUNNING';
  cancelled = false;
  constructor(private readonly outcome: Promise<PipelineState>) {}
  async waitUntilFinish(): Promise<PipelineState> {
    this.state = await this.outcome;
    return this.state;
  }
  metrics(): MetricResults {
    return new MetricResults([{ step: 's', namespace: 'n', name: 'c', value: 3 } as never], [], []);
  }
  async cancel(): Promise<void> {
    this.cancelled = true;
  }
}

describe('DeferredResult', () => {
  it("is RUNNING until started, then the inner result's, and cleans up once", async () => {
    let cleanups = 0;
    let release!: (r: PipelineResult) => void;
    const result = new DeferredResult(new Promise((r) => (release = r)), async () => void cleanups++);
    expect(result.state).toBe('RUNNING');
    expect(result.metrics().counters).toEqual([]);
    release(new FixedResult(Promise.resolve('DONE')));
    expect(await result.waitUntilFinish()).toBe('DONE');
    expect(result.state).toBe('DONE');
    expect(result.metrics().counters).toHaveLength(1);
    expect(cleanups).toBe(1);
  });

  it('is FAILED with the start error when the job could not be started, and still cleans up', async () => {
    let cleanups = 0;
    const result = new DeferredResult(Promise.reject(new Error('job server did not start')), async () => void cleanups++);
    await expect(result.waitUntilFinish()).rejects.toThrow('job server did not start');
    expect(result.state).toBe('FAILED');
    expect(cleanups).toBe(1);
  });

  it('passes a cancel that came before the start on to the started job', async () => {
    const inner = new FixedResult(Promise.resolve('CANCELLED'));
    let release!: (r: PipelineResult) => void;
    const result = new DeferredResult(new Promise((r) => (release = r)), async () => undefined);
    const cancelling = result.cancel();
    release(inner);
    await cancelling;
    expect(inner.cancelled).toBe(true);
    expect(result.state).toBe('CANCELLED');
  });
});
