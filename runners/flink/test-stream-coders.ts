/**
 * Beam Java's Flink runner decodes a TestStream's events with the coder the payload names, then
 * re-encodes them with the output PCollection's wire coder. The portable runner length-prefixes
 * Tributary's own coders (`length_prefix(tributary:coder:json:v1)`), which Java cannot decode.
 * Read as `length_prefix(bytes)` the very same bytes decode (to the inner bytes) and re-encode
 * byte for byte, so the payload names that view. Flink only: Prism reads the payload's coder
 * differently, and it would double the prefix there.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { URN } from '../../sdk/urns.js';
import { STANDARD } from '../portable/length-prefix.js';

const BYTES = 'tributary_flink_bytes';
const LP_BYTES = 'tributary_flink_lp_bytes';

/** Whether `p` holds a TestStream (Flink then runs it one element per bundle, flink-options.ts). */
export function hasTestStream(p: beam.IPipeline): boolean {
  return Object.values(p.components?.transforms ?? {}).some((t) => t.spec?.urn === URN.TEST_STREAM);
}

/** Points every TestStream payload of `p` (changed in place) at the runner's view of its coder. */
export function testStreamCodersForJava(p: beam.Pipeline): beam.Pipeline {
  const coders = p.components?.coders ?? {};
  for (const t of Object.values(p.components?.transforms ?? {})) {
    if (t.spec?.urn !== URN.TEST_STREAM) continue;
    const payload = beam.TestStreamPayload.decode(t.spec.payload ?? new Uint8Array());
    payload.coderId = javaTopView(payload.coderId, coders);
    t.spec.payload = beam.TestStreamPayload.encode(payload).finish();
  }
  return p;
}

/** A payload whose coder is Tributary's own at the top (not length-prefixed: a TestStream of
 *  JSON values) holds each event's bytes whole, in the outer context: Java reads them as bytes and
 *  re-encodes them length-prefixed, which is the PCollection's wire coder. */
function javaTopView(id: string, coders: Record<string, beam.ICoder>): string {
  const k = coders[id];
  if (!k || STANDARD.has(k.spec?.urn ?? '')) return javaView(id, coders);
  return bytesCoder(coders);
}

/** Adds Beam's bytes coder to `coders` once; its id. */
function bytesCoder(coders: Record<string, beam.ICoder>): string {
  coders[BYTES] ??= beam.Coder.create({ spec: { urn: CoderUrns.BYTES } });
  return BYTES;
}

function javaView(id: string, coders: Record<string, beam.ICoder>): string {
  const k = coders[id];
  const parts = k?.componentCoderIds ?? [];
  if (!k || !STANDARD.has(k.spec?.urn ?? '') || parts.length === 0) return id;
  if (k.spec?.urn === CoderUrns.LENGTH_PREFIX && !STANDARD.has(coders[parts[0]!]?.spec?.urn ?? '')) {
    coders[LP_BYTES] ??= beam.Coder.create({ spec: { urn: CoderUrns.LENGTH_PREFIX }, componentCoderIds: [bytesCoder(coders)] });
    return LP_BYTES;
  }
  const viewed = parts.map((c) => javaView(c, coders));
  if (viewed.every((v, i) => v === parts[i])) return id;
  const vid = `${id}_java`;
  coders[vid] ??= beam.Coder.create({ spec: k.spec, componentCoderIds: viewed });
  return vid;
}
