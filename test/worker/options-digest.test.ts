// Options that reach user code only through closures leave the graph unchanged: the options
// digest in the proto's display data is what makes a worker with other values refuse.
import { describe, expect, it } from 'vitest';
import { OPTIONS_DIGEST_URN, buildPipelineFile, loadPipelineFile } from '../../runners/worker/pipeline-file.js';
import { verifySameGraph } from '../../runners/worker/worker.js';
import { GraphMismatchError } from '../../sdk/errors.js';
import { encodePipeline } from '../../sdk/translate/to-proto.js';

const FILE = 'test/fixtures/pipelines/wordcount.ts';

async function build(values: Record<string, unknown>) {
  return buildPipelineFile(await loadPipelineFile(FILE), values);
}

describe('the options digest', () => {
  it('is in the display data, the same for the same values (defaults applied)', async () => {
    const a = await build({ minCount: 1 });
    const b = await build({});
    const digest = (x: typeof a) => x.portable.proto.displayData.find((d) => d.urn === OPTIONS_DIGEST_URN)?.payload;
    expect(Buffer.from(digest(a)!).toString()).toMatch(/^[0-9a-f]{64}$/);
    expect(digest(a)).toEqual(digest(b));
    expect(() => verifySameGraph(encodePipeline(a.portable.proto), encodePipeline(b.portable.proto))).not.toThrow();
  });

  it('a worker built with another value of a closure-only option refuses, saying the options differ', async () => {
    const submitted = await build({ label: 'submitted' });
    const worker = await build({ label: 'other' });
    const { displayData: _a, ...graphA } = submitted.portable.proto.toJSON();
    const { displayData: _b, ...graphB } = worker.portable.proto.toJSON();
    // Without the digest the two graphs would be the same.
    expect(graphA).toEqual(graphB);
    expect(() => verifySameGraph(encodePipeline(submitted.portable.proto), encodePipeline(worker.portable.proto), FILE)).toThrow(GraphMismatchError);
    expect(() => verifySameGraph(encodePipeline(submitted.portable.proto), encodePipeline(worker.portable.proto), FILE)).toThrow(/the pipeline options differ/);
  });
});
