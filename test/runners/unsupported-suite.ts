/**
 * What a runner says about what it cannot run: a typed error naming the feature (its URN), the
 * runner, and where in the pipeline it is, raised before any element moves. Shared by every
 * runner, like the runner suite.
 */
import { describe, expect, it } from 'vitest';
import { Create, Map, Pipeline, UnsupportedFeatureError, transform, type PCollection, type PipelineRunner } from '../../sdk/index.js';

const UNKNOWN_URN = 'beam:transform:tributary_test_unknown_primitive:v1';

/** A primitive no runner knows: its spec names a URN nothing executes. */
const unknownPrimitive = transform<PCollection<number>, PCollection<number>>('Mystery', (_input, ctx) => {
  ctx.setSpec({ urn: UNKNOWN_URN });
  return ctx.createOutput<number>();
});

export function unsupportedSuite(name: string, makeRunner: () => PipelineRunner, runnerName: string): void {
  describe(`unsupported features: ${name}`, () => {
    it('an unknown primitive fails the job with an UnsupportedFeatureError naming the URN, the runner and the transform', async () => {
      const p = new Pipeline();
      let ran = 0;
      p.apply(Create.of([1, 2, 3]))
        .apply('BeforeIt', Map.of((x: number) => (ran++, x)))
        .apply('Mystery', unknownPrimitive);
      const result = makeRunner().run(p);
      const err = await result.waitUntilFinish().then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(UnsupportedFeatureError);
      const u = err as UnsupportedFeatureError;
      expect(u.urn).toBe(UNKNOWN_URN);
      expect(u.runner).toBe(runnerName);
      expect(u.message).toBe(`runner "${runnerName}" does not support ${UNKNOWN_URN}: transform "Mystery"`);
      expect(result.state).toBe('FAILED');
      expect(ran).toBe(0); // refused before any element moved
    });
  });
}
