/** The worker's graph check, in-process: identical graphs pass, each kind of difference is named. */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { firstDifference, runWorker, verifySameGraph } from '../../runners/worker/index.js';
import { Coders, Create, GraphMismatchError, Map, Pipeline, encodePipeline, toPortable } from '../../sdk/index.js';

function build(variant: (p: Pipeline) => void) {
  const p = new Pipeline();
  variant(p);
  return toPortable(p).proto;
}

const base = (p: Pipeline) => p.apply('Numbers', Create.of([1, 2, 3])).apply('Double', Map.of((n: number) => n * 2));

describe('verifySameGraph / firstDifference', () => {
  it('accepts the same program built twice', () => {
    const a = encodePipeline(build(base));
    const b = encodePipeline(build(base));
    expect(() => verifySameGraph(a, b)).not.toThrow();
    expect(firstDifference(beam.Pipeline.decode(a), beam.Pipeline.decode(b))).toBeUndefined();
  });

  it('names a transform only one side has', () => {
    const a = build(base);
    const b = build((p) => base(p).apply('Again', Map.of((n: number) => n + 1)));
    expect(firstDifference(a, b)).toBe('this program builds transform "Again" that the submitted pipeline does not have');
    expect(firstDifference(b, a)).toBe('submitted pipeline has transform "Again" that this program does not build');
  });

  it('names a transform whose function differs', () => {
    const a = build(base);
    const b = build((p) => p.apply('Numbers', Create.of([1, 2, 3])).apply('Double', Map.of((n: number) => n * 2, { maxConcurrency: 4 })));
    expect(firstDifference(a, b)).toMatch(/^transform "Double" differs: its beam:transform:pardo:v1 payload: /);
  });

  it('names a PCollection or coder that differs', () => {
    const a = build((p) => void base(p).withCoder(Coders.varint()));
    const b = build((p) => void base(p).withCoder(Coders.double()));
    expect(firstDifference(a, b)).toMatch(/^coder "[^"]+" differs: submitted beam:coder:varint:v1, this program has beam:coder:double:v1$/);
    const c = build((p) => void base(p).withCoder(Coders.nullable(Coders.varint()) as never));
    expect(firstDifference(a, c)).toMatch(/^(PCollection "Double.out" differs: submitted coder "[^"]+", this program has "[^"]+"|coder "[^"]+" differs: .*)$/);
  });

  it('throws GraphMismatchError with the difference', () => {
    const a = encodePipeline(build(base));
    const b = encodePipeline(build((p) => p.apply('Numbers', Create.of([1, 2, 3]))));
    expect(() => verifySameGraph(a, b, 'numbers.ts')).toThrow(GraphMismatchError);
    expect(() => verifySameGraph(a, b, 'numbers.ts')).toThrow(
      /^the graph this worker rebuilt from numbers\.ts differs from the submitted pipeline: submitted pipeline has transform "Double" that this program does not build\./,
    );
  });

  it('rejects bytes that are not a pipeline', () => {
    expect(() => verifySameGraph(new Uint8Array([0xff, 0xff, 0xff]), new Uint8Array())).toThrow(/^the submitted pipeline proto \(3 bytes\) does not decode as a Pipeline: /);
  });

  it('runWorker in-process runs a matching proto', async () => {
    const file = new URL('../fixtures/pipelines/wordcount.ts', import.meta.url).pathname;
    const { buildPipelineFile, loadPipelineFile } = await import('../../runners/worker/pipeline-file.js');
    const { portable } = await buildPipelineFile(await loadPipelineFile(file), { minCount: 2 });
    const result = await runWorker({ pipelineFile: file, protoBytes: encodePipeline(portable.proto), options: { minCount: 2 } });
    expect(result.state).toBe('DONE');
    expect(result.metrics.counter('passertSuccess')).toBe(1);
  });
});
