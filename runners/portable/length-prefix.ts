/**
 * Coders a Beam runner does not know (`tributary:coder:json:v1`) are only passed through by it,
 * but it must still find where such a value ends inside a KV or a windowed value. So in the
 * submitted pipeline every use of an unknown coder as a component or as a PCollection's coder is
 * wrapped in `beam:coder:length_prefix:v1`: the runner reads the length, the harness decodes the
 * bytes inside with the real coder. A TestStream's elements, encoded by the SDK with the original
 * coder, are re-encoded with the wrapped one (the runner decodes them to find keys).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { ByteReader, ByteWriter, coderFromSpec, type Coder } from '../../sdk/coders/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { URN } from '../../sdk/urns.js';

/** The coders every Beam runner knows. */
export const STANDARD: ReadonlySet<string> = new Set(Object.values(CoderUrns).filter((u) => u.startsWith('beam:')));

/** Wraps the unknown coders of `p` (a decoded copy, changed in place). */
export function lengthPrefixUnknownCoders(p: beam.Pipeline): void {
  const c = p.components!;
  const coders = c.coders!;
  const unknown = (id: string) => !STANDARD.has(coders[id]?.spec?.urn ?? '');
  const wrapped = new Map<string, string>();
  const wrap = (id: string): string => {
    if (!unknown(id)) return id;
    let w = wrapped.get(id);
    if (!w) {
      w = `${id}_lp`;
      coders[w] = beam.Coder.create({ spec: { urn: CoderUrns.LENGTH_PREFIX }, componentCoderIds: [id] });
      wrapped.set(id, w);
    }
    return w;
  };
  const original = new Map(Object.entries(coders).map(([id, k]) => [id, [...(k.componentCoderIds ?? [])]]));
  for (const [id, k] of Object.entries(coders)) {
    if (k.spec?.urn === CoderUrns.LENGTH_PREFIX || wrapped.has(id)) continue;
    if (!unknown(id)) k.componentCoderIds = (k.componentCoderIds ?? []).map(wrap);
  }
  if (wrapped.size === 0) return;
  for (const pc of Object.values(c.pcollections ?? {})) pc.coderId = wrap(pc.coderId ?? '');
  // TestStream payloads: re-encode with the coder the output PCollection now has.
  for (const t of Object.values(c.transforms ?? {})) {
    if (t.spec?.urn !== URN.TEST_STREAM) continue;
    const payload = beam.TestStreamPayload.decode(t.spec.payload ?? new Uint8Array());
    const from = build(payload.coderId, coders, original);
    // A standard coder keeps its id but its unknown components are now wrapped: re-encode always.
    const toId = wrapInside(payload.coderId, coders, wrap);
    const to = build(toId, coders);
    for (const ev of payload.events) {
      for (const el of ev.elementEvent?.elements ?? []) {
        const value = from.decode(new ByteReader(el.encodedElement ?? new Uint8Array()), false);
        const w = new ByteWriter();
        to.encode(value, w, false);
        el.encodedElement = w.finish();
      }
    }
    payload.coderId = toId;
    t.spec.payload = beam.TestStreamPayload.encode(payload).finish();
  }
}

/** The id of `id` as seen from outside: itself wrapped if unknown (its components already are). */
function wrapInside(id: string, coders: Record<string, beam.ICoder>, wrap: (id: string) => string): string {
  return coders[id] && !STANDARD.has(coders[id]!.spec?.urn ?? '') ? wrap(id) : id;
}

/** A Coder for `id`; `components` overrides the component lists (the ones before wrapping). */
function build(id: string, coders: Record<string, beam.ICoder>, components?: ReadonlyMap<string, string[]>): Coder<unknown> {
  const k = coders[id]!;
  const parts = (components?.get(id) ?? k.componentCoderIds ?? []).map((c) => build(c, coders, components));
  return coderFromSpec(k.spec?.urn ?? '', parts, k.spec?.payload ?? undefined);
}
