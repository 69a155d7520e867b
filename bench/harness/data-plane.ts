/**
 * The harness's data plane: 200,000 strings through one ParDo stage in one bundle, sent by a
 * test Fn API runner over a real loopback gRPC socket in 1 MiB chunks, outputs sent back. One
 * process plays both ends (runner and harness), so the figure is the wire round trip plus both
 * sides' encoding, against a plain loop doing the ParDo's work. `coderShare` is the part of the
 * tributary time spent encoding and decoding windowed values (the same elements, four coder
 * passes: runner encode, harness decode, harness encode, runner decode), measured alone.
 */
import { startHarness } from '../../runners/harness/harness.js';
import { ByteReader, ByteWriter } from '../../sdk/coders/index.js';
import { Create, Map, Pipeline } from '../../sdk/index.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import type { Instant } from '../../sdk/time/instant.js';
import { TestFnApiRunner, cut } from '../../test/harness/fn-api-runner.js';
import { benchCase } from '../harness.js';

const N = 200_000;
const CHUNK = 1 << 20;
const word = (i: number) => `word-${i % 10_000}`;
const shout = (w: string) => w.toUpperCase();

await benchCase(import.meta.url, {
  name: 'harness-data-plane',
  plain: () => {
    let n = 0;
    let checksum = 0;
    for (let i = 0; i < N; i++) {
      checksum += shout(word(i)).length;
      n++;
    }
    return { elements: n, checksum };
  },
  tributary: async () => {
    const runner = new TestFnApiRunner();
    await runner.start();
    const p = new Pipeline();
    p.apply('Words', Create.of(['x'])).apply('Shout', Map.of(shout));
    const stage = cut(p, ['Shout'], runner.url, 'stage');
    const harness = await startHarness({ id: 'bench', controlEndpoint: runner.url, userFns: stage.userFns });
    await runner.instruct({ register: { processBundleDescriptor: [stage.descriptor] } });
    const input = stage.pcOf('Words');
    const output = stage.pcOf('Shout');
    const inCoder = stage.wire(input);
    const outCoder = stage.wire(output);
    const chunks: Uint8Array[] = [];
    const w = new ByteWriter(CHUNK + 1024);
    const el = (v: string): WindowedValue<unknown> => ({ value: v, timestamp: 0 as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      inCoder.encode(el(word(i)), w, true);
      if (w.length >= CHUNK) {
        chunks.push(w.finish());
        w.reset();
      }
    }
    chunks.push(w.finish());
    const out = await runner.bundle('stage', { data: { [stage.source(input)]: chunks } });
    let n = 0;
    let checksum = 0;
    const r = new ByteReader(out.data.get(stage.sink(output)) ?? new Uint8Array());
    while (!r.atEnd()) {
      checksum += (outCoder.decode(r, true).value as string).length;
      n++;
    }
    const total = performance.now() - t0;
    // The four coder passes alone.
    const c0 = performance.now();
    for (let pass = 0; pass < 2; pass++) {
      const buf = new ByteWriter(CHUNK);
      for (let i = 0; i < N; i++) inCoder.encode(el(word(i)), buf, true);
      const rr = new ByteReader(buf.finish());
      while (!rr.atEnd()) inCoder.decode(rr, true);
    }
    const coderShare = Math.round(((performance.now() - c0) / total) * 100) / 100;
    await harness.stop();
    await runner.stop();
    return { elements: n, checksum, extra: { coderShare, bundleSeconds: Math.round(total) / 1000 } };
  },
  report: (_plain, tributary) => ({ ...tributary.extra }),
});
