/**
 * Portability across processes: the test process builds a pipeline from a pipeline file and
 * writes its proto; a separate Node process in worker mode re-runs the same program, checks the
 * graph it rebuilds against the proto, executes the proto, and must get the same result
 * (counters, distributions, PAssert successes) as running the proto in this process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { PASSERT_SUCCESS_COUNTER } from '../../sdk/testing/passert.js';
import { encodePipeline, toPortable } from '../../sdk/index.js';
import { buildPipeline } from '../../sdk/options/index.js';
import * as wordcount from '../fixtures/pipelines/wordcount.js';
import { FIXTURES, runCli } from '../cli/run-cli.js';
import { buildPipelineFile, loadPipelineFile } from '../../runners/worker/pipeline-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'tributary-worker-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Report {
  state: string;
  error?: string;
  errorName?: string;
  counters?: Array<{ step: string; namespace: string; name: string; value: number }>;
  distributions?: Array<{ step: string; namespace: string; name: string; count: number; sum: number; min: number; max: number }>;
}

const byKey = <T extends { step: string; namespace: string; name: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => `${a.step}|${a.namespace}|${a.name}`.localeCompare(`${b.step}|${b.namespace}|${b.name}`));

async function submit(options: Record<string, unknown>, name: string) {
  // As the CLI submits: built from the file, so the proto carries the options digest.
  const { portable } = await buildPipelineFile(await loadPipelineFile(`${FIXTURES}/wordcount.ts`), options);
  const file = join(tmp, `${name}.pb`);
  writeFileSync(file, encodePipeline(portable.proto));
  return { portable, file };
}

function parseReport(stdout: string): Report {
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]!) as Report;
}

describe('worker mode in a separate process', () => {
  it('re-runs the program, executes the submitted proto and gets the in-process result', async () => {
    const options = { minCount: 2, dedupeLines: true, mode: 'realtime' };
    const { portable, file } = await submit(options, 'same');

    const local = new DirectRunner().runPortable(portable);
    await local.waitUntilFinish();
    expect(local.state).toBe('DONE');
    const localMetrics = local.metrics();
    expect(localMetrics.counter(PASSERT_SUCCESS_COUNTER)).toBe(1);

    const r = await runCli(['worker', '--pipeline', `${FIXTURES}/wordcount.ts`, '--proto', file, '--options-json', JSON.stringify(options)]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = parseReport(r.stdout);
    expect(report.state).toBe('DONE');
    expect(byKey(report.counters!)).toEqual(byKey(localMetrics.counters.map(({ step, namespace, name, value }) => ({ step, namespace, name, value }))));
    expect(byKey(report.distributions!)).toEqual(
      byKey(localMetrics.distributions.map(({ step, namespace, name, count, sum, min, max }) => ({ step, namespace, name, count, sum, min, max }))),
    );
    expect(report.counters!.find((c) => c.name === PASSERT_SUCCESS_COUNTER)?.value).toBe(1);
    expect(report.counters!.find((c) => c.name === 'words')?.value).toBe(12);
  });

  it('fails at once with a GraphMismatchError when the worker builds with different options', async () => {
    const { file } = await submit({ minCount: 2, dedupeLines: true }, 'deduped');
    const r = await runCli(['worker', '--pipeline', `${FIXTURES}/wordcount.ts`, '--proto', file, '--options-json', JSON.stringify({ minCount: 2 })]);
    expect(r.code).toBe(1);
    const expected =
      `the graph this worker rebuilt from ${FIXTURES}/wordcount.ts differs from the submitted pipeline: ` +
      'submitted pipeline has transform "DedupeLines" that this program does not build. ' +
      'A worker must run the same program with the same options as the submitter, and pipeline construction must be deterministic ' +
      '(no dependence on time, randomness, environment variables or input data).';
    expect(r.stderr).toBe(`error: ${expected}\n`);
    const report = parseReport(r.stdout);
    expect(report).toEqual({ state: 'FAILED', errorName: 'GraphMismatchError', error: expected });
  });

  it('names the differing transform when construction depends on the environment', async () => {
    const proto = await runCli(['proto', `${FIXTURES}/env-dependent.ts`, '--out', join(tmp, 'env.pb')], { TRIBUTARY_FIXTURE_VARIANT: undefined });
    expect(proto.code).toBe(0);
    const r = await runCli(['worker', '--pipeline', `${FIXTURES}/env-dependent.ts`, '--proto', join(tmp, 'env.pb')], { TRIBUTARY_FIXTURE_VARIANT: 'grouped' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `error: the graph this worker rebuilt from ${FIXTURES}/env-dependent.ts differs from the submitted pipeline: ` +
        'transform "Shape" differs: submitted urn beam:transform:pardo:v1, this program has beam:transform:group_by_key:v1.',
    );
    expect(parseReport(r.stdout).errorName).toBe('GraphMismatchError');

    // The same environment on both sides runs fine.
    const ok = await runCli(['worker', '--pipeline', `${FIXTURES}/env-dependent.ts`, '--proto', join(tmp, 'env.pb')], { TRIBUTARY_FIXTURE_VARIANT: undefined });
    expect(ok.stderr).toBe('');
    expect(parseReport(ok.stdout).state).toBe('DONE');
  });

  it('rejects options the pipeline does not declare, and malformed --options-json', async () => {
    const { file } = await submit({}, 'plain');
    const unknown = await runCli(['worker', '--pipeline', `${FIXTURES}/wordcount.ts`, '--proto', file, '--options-json', '{"minCnt":2}']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('error: unknown option --minCnt in the worker options; the pipeline declares: --minCount, --mode, --dedupeLines, --label\n');
    const bad = await runCli(['worker', '--pipeline', `${FIXTURES}/wordcount.ts`, '--proto', file, '--options-json', '{minCount:2}']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: --options-json is not valid JSON: /);
    const missing = await runCli(['worker', '--pipeline', `${FIXTURES}/wordcount.ts`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('error: Missing required argument: proto (see "tributary worker --help")\n');
  });
});
