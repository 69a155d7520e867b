// The portable runner against a real Beam job server (Prism, started here): submission errors a
// user can act on, combiner lifting, and a pipeline file run end to end through the CLI with the
// direct runner's output.
import { describe, expect, it } from 'vitest';
import { freePort } from '../../engines/java-process.js';
import { usePrism } from '../servers/prism/prism.js';
import { JobEndpointUnreachableError } from '../../runners/portable/errors.js';
import { liftCombines } from '../../runners/portable/lift.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import { buildPipelineFile, loadPipelineFile } from '../../runners/worker/pipeline-file.js';
import { URN } from '../../sdk/urns.js';
import { Combine, Create, Duration, Instant, Pipeline, Sessions, Window, kv, type KV } from '../../sdk/index.js';
import { SumFn } from '../../sdk/transforms/combiners.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { pipeline as beam } from '../../portability-proto/index.js';
import { environmentProto } from '../../runners/portable/environments.js';
import { prepareSubmission } from '../../runners/portable/submission.js';
import { runCli } from '../cli/run-cli.js';

const prism = usePrism();

/** The word lines of wordcount's output ("  10 the"), sorted. */
const wordLines = (stdout: string) => stdout.split('\n').filter((l) => /^\s+\d+\s+\S+$/.test(l)).map((l) => l.trim()).sort();

describe('portable runner', () => {
  it('an unreachable job server: a clear error naming the endpoint and what to do', async () => {
    const endpoint = `127.0.0.1:${await freePort()}`;
    const built = await buildPipelineFile(await loadPipelineFile('examples/wordcount.ts'), {});
    const result = new PortableRunner({ jobEndpoint: endpoint, connectTimeoutMs: 1000 }).run(built.pipeline);
    const error = await result.waitUntilFinish().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(JobEndpointUnreachableError);
    expect((error as Error).message).toContain(`no Beam job server answers at ${endpoint}`);
    expect((error as Error).message).toContain('--jobEndpoint=host:port');
    expect(result.state).toBe('FAILED');
  });

  it('the CLI says so too, with exit code 1', async () => {
    const r = await runCli(['run', 'examples/wordcount.ts', '--runner=portable', `--jobEndpoint=127.0.0.1:${await freePort()}`], {}, 60_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: no Beam job server answers at 127\.0\.0\.1:\d+/);
  });

  it('expands a GroupByKey with an element-predicate trigger into standard primitives the runner can run', () => {
    const built = loadPipelineFile('examples/driving-score.ts').then((f) => buildPipelineFile(f, {}));
    return built.then(({ portable }) => {
      const { pipeline } = prepareSubmission(portable.proto, 'portable', environmentProto({ kind: 'loopback', url: 'localhost:1' }, []));
      const t = pipeline.components!.transforms!;
      const gbk = Object.entries(t).find(([id]) => id.endsWith('Score/GroupByKey'))![1];
      expect(gbk.spec).toBeNull();
      const parts = (gbk.subtransforms ?? []).map((id) => t[id]!);
      expect(parts.map((p) => p.spec!.urn)).toEqual([URN.PAR_DO, URN.WINDOW_INTO, URN.PAR_DO]);
      const gabw = beam.ParDoPayload.decode(parts[2]!.spec!.payload!);
      expect(gabw.doFn!.urn).toBe('tributary:dofn:group_also_by_window:v1');
      expect(Object.keys(gabw.stateSpecs)).toEqual(['reducer']);
      expect(Object.keys(gabw.timerFamilySpecs)).toEqual(['wake']);
      // The late output is the stateful ParDo's; no trigger left that Beam cannot read.
      expect(Object.keys(parts[2]!.outputs ?? {}).sort()).toEqual(['late', 'out']);
      expect(pipeline.displayData.some((d) => d.urn === 'tributary:display_data:trigger_predicates:v1')).toBe(false);
      // The CombinePerKey around it is a plain composite: no runner lifts it over unmerged windows.
      expect(Object.values(t).some((x) => x.spec?.urn === URN.COMBINE_PER_KEY)).toBe(false);
    });
  });

  it('does not let the runner lift a keyed combine under sessions (Prism would precombine unmerged windows)', async () => {
    const p = new Pipeline();
    p.apply(Create.timestamped([0, 1, 5, 60, 61].map((m) => ({ value: kv('k', 1), timestamp: Instant.ofEpochMillis(m * 60_000) }))))
      .apply(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(10))))
      .apply('SumPerSession', Combine.perKey<string, number, number>(SumFn));
    const { pipeline } = liftCombines(toPortable(p).proto);
    const t = pipeline.components!.transforms!;
    expect(Object.values(t).some((x) => x.spec?.urn === URN.COMBINE_PER_KEY)).toBe(false);
  });

  it('lifts a keyed combine: the values are precombined before the shuffle', async () => {
    const built = await buildPipelineFile(await loadPipelineFile('examples/wordcount.ts'), {});
    const { pipeline, lifted } = liftCombines(built.portable.proto);
    expect(lifted).toContain('Count/Count');
    const t = pipeline.components!.transforms!;
    const composite = t['Count/Count']!;
    const parts = composite.subtransforms ?? [];
    expect(composite.spec).toBeNull();
    expect(parts.map((id) => t[id]!.spec!.urn)).toEqual([
      URN.COMBINE_PER_KEY_PRECOMBINE,
      URN.GROUP_BY_KEY,
      URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS,
      URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS,
    ]);
    // The shuffle carries accumulators: the GroupByKey reads the precombine's output.
    const gbk = t[parts[1]!]!;
    expect(Object.values(gbk.inputs ?? {})).toEqual([Object.values(t[parts[0]!]!.outputs ?? {})[0]]);
    // The input is untouched.
    expect(built.portable.proto.components!.transforms!['Count/Count']!.spec!.urn).toBe(URN.COMBINE_PER_KEY);
  });

  it('wordcount through the CLI on Prism with loopback workers prints what the direct runner prints', async () => {
    const direct = await runCli(['run', 'examples/wordcount.ts', '--runner=direct', '--top=5'], {}, 120_000);
    expect(direct.code, direct.stderr).toBe(0);
    const portable = await runCli(['run', 'examples/wordcount.ts', '--runner=portable', `--jobEndpoint=${prism.current.endpoint}`, '--top=5'], {}, 240_000);
    expect(portable.code, portable.stderr).toBe(0);
    expect(portable.stdout).toContain('on runner "portable": DONE');
    expect(wordLines(portable.stdout)).toEqual(wordLines(direct.stdout));
    expect(wordLines(direct.stdout)).toHaveLength(5);
  });
});
