/**
 * Beam's own reference vectors (test/conformance/beam/standard_coders.yaml): for every document
 * and example, decode(bytes) equals the value and encode(value) equals the bytes (decode only
 * for documents marked non_deterministic). An unsupported URN fails the test.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import {
  ByteReader,
  ByteWriter,
  coderFromSpec,
  CoderUrns,
  fromLatin1,
  type Coder,
} from '../../sdk/coders/index.js';
import { RowCoder } from '../../sdk/coders/row.js';
import { convertRowValue } from './row-yaml.js';
import { GlobalWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import { kv } from '../../sdk/values/kv.js';
import type { PaneInfo, PaneTiming } from '../../sdk/values/pane.js';
import type { Instant } from '../../sdk/time/instant.js';

const file = fileURLToPath(new URL('../conformance/beam/standard_coders.yaml', import.meta.url));

interface CoderSpec {
  urn: string;
  components?: CoderSpec[];
  payload?: string;
  non_deterministic?: boolean;
}

interface Doc {
  coder: CoderSpec;
  nested?: boolean;
  examples: Map<string, unknown>;
}

const docs: Doc[] = parseAllDocuments(readFileSync(file, 'utf8'), { intAsBigInt: true }).map((d, i) => {
  if (d.errors.length > 0) throw new Error(`document ${i}: ${d.errors[0]!.message}`);
  const js = d.toJS({ mapAsMap: false }) as { coder: CoderSpec; nested?: boolean; examples: Record<string, unknown> };
  return { coder: js.coder, nested: js.nested, examples: new Map(Object.entries(js.examples)) };
});

function build(spec: CoderSpec): Coder<unknown> {
  const components = (spec.components ?? []).map(build);
  return coderFromSpec(spec.urn, components, spec.payload === undefined ? undefined : fromLatin1(spec.payload));
}

function num(v: unknown): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return v;
  throw new Error(`expected a number, got ${String(v)}`);
}

function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number') return BigInt(v);
  throw new Error(`expected an integer, got ${String(v)}`);
}

const TIMINGS: Record<string, PaneTiming> = { EARLY: 'EARLY', ON_TIME: 'ON_TIME', LATE: 'LATE', UNKNOWN: 'UNKNOWN' };

function pane(v: Record<string, unknown>): PaneInfo {
  const timing = TIMINGS[String(v.timing)];
  if (!timing) throw new Error(`unknown timing ${String(v.timing)}`);
  return {
    isFirst: v.is_first as boolean,
    isLast: v.is_last as boolean,
    timing,
    index: num(v.index),
    onTimeIndex: num(v.on_time_index),
  };
}

/** The JS value a YAML example stands for, given the coder spec that encodes it. */
function convert(spec: CoderSpec, v: unknown, coder: Coder<unknown>): unknown {
  const comp = (i: number) => spec.components![i]!;
  const compCoder = (i: number) => coder.components[i]!;
  switch (spec.urn) {
    case CoderUrns.BYTES:
      return fromLatin1(v as string);
    case CoderUrns.BOOL:
      if (typeof v !== 'boolean') throw new Error(`expected a boolean, got ${String(v)}`);
      return v;
    case CoderUrns.STRING_UTF8:
      return v as string;
    case CoderUrns.VARINT:
      return num(v);
    case CoderUrns.DOUBLE:
      return Number(v as string);
    case CoderUrns.KV: {
      const o = v as { key: unknown; value: unknown };
      return kv(convert(comp(0), o.key, compCoder(0)), convert(comp(1), o.value, compCoder(1)));
    }
    case CoderUrns.ITERABLE:
      return (v as unknown[]).map((e) => convert(comp(0), e, compCoder(0)));
    case CoderUrns.GLOBAL_WINDOW:
      expect(['', 'global']).toContain(v);
      return GlobalWindow.INSTANCE;
    case CoderUrns.INTERVAL_WINDOW: {
      const o = v as { end: unknown; span: unknown };
      const end = big(o.end);
      return new IntervalWindow(Number(end - big(o.span)) as Instant, Number(end) as Instant);
    }
    case CoderUrns.WINDOWED_VALUE:
    case CoderUrns.PARAM_WINDOWED_VALUE: {
      const o = v as { value: unknown; timestamp: unknown; pane: Record<string, unknown>; windows: unknown[] };
      return {
        value: convert(comp(0), o.value, compCoder(0)),
        timestamp: num(o.timestamp),
        windows: o.windows.map((w) => convert(comp(1), w, compCoder(1))),
        pane: pane(o.pane),
      };
    }
    case CoderUrns.TIMER: {
      const o = v as Record<string, unknown>;
      const base = {
        userKey: convert(comp(0), o.userKey, compCoder(0)),
        dynamicTimerTag: o.dynamicTimerTag as string,
        windows: (o.windows as unknown[]).map((w) => convert(comp(1), w, compCoder(1))),
        clearBit: o.clearBit as boolean,
      };
      if (o.clearBit) return base;
      return {
        ...base,
        fireTimestamp: num(o.fireTimestamp),
        holdTimestamp: num(o.holdTimestamp),
        pane: pane(o.pane as Record<string, unknown>),
      };
    }
    case CoderUrns.ROW:
      return convertRowValue((coder as RowCoder).schema, v);
    default:
      throw new Error(`the conformance test has no YAML conversion for coder ${spec.urn}`);
  }
}

function encode(coder: Coder<unknown>, value: unknown, nested: boolean): Uint8Array {
  const w = new ByteWriter(8);
  coder.encode(value, w, nested);
  return w.finish();
}

function decode(coder: Coder<unknown>, bytes: Uint8Array, nested: boolean): unknown {
  const r = new ByteReader(bytes);
  const v = coder.decode(r, nested);
  expect(r.remaining, 'bytes left unread after decoding').toBe(0);
  return v;
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe('Beam standard_coders.yaml', () => {
  it('has documents', () => {
    expect(docs.length).toBeGreaterThan(20);
  });

  docs.forEach((doc, i) => {
    const spec = doc.coder;
    const contexts = doc.nested === undefined ? [false, true] : [doc.nested];
    const label = `#${i} ${spec.urn}${spec.components ? `(${spec.components.map((c) => c.urn).join(', ')})` : ''}`;
    for (const nested of contexts) {
      it(`${label} ${nested ? 'nested' : 'outer'}${spec.non_deterministic ? ' (decode only)' : ''}`, () => {
        const coder = build(spec);
        expect(doc.examples.size).toBeGreaterThan(0);
        let checked = 0;
        for (const [key, yamlValue] of doc.examples) {
          const bytes = fromLatin1(key);
          const expected = convert(spec, yamlValue, coder);
          const decoded = decode(coder, bytes, nested);
          expect(decoded, `decoding ${hex(bytes)}`).toEqual(expected);
          if (!spec.non_deterministic) {
            expect(hex(encode(coder, expected, nested)), `encoding ${JSON.stringify(yamlValue, (_k, x) => (typeof x === 'bigint' ? String(x) : x))}`).toBe(hex(bytes));
            // And a round trip through our own bytes.
            expect(decode(coder, encode(coder, decoded, nested), nested)).toEqual(expected);
          }
          checked++;
        }
        expect(checked).toBe(doc.examples.size);
      });
    }
  });
});
