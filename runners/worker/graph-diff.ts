/**
 * Where two pipeline protos differ, in words a user can act on: the first transform, PCollection,
 * coder, windowing strategy or environment that is missing on one side or different on both.
 * A worker uses it to explain why the graph it rebuilt is not the one it was given.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { URN } from '../../sdk/urns.js';
import { OPTIONS_DIGEST_URN } from './pipeline-file.js';

type Dict<T> = { [k: string]: T };

/** The first difference between two pipelines, or undefined when they are the same. */
export function firstDifference(submitted: beam.IPipeline, rebuilt: beam.IPipeline): string | undefined {
  const a = submitted.components ?? {};
  const b = rebuilt.components ?? {};
  return (
    diffTransforms(submitted, rebuilt) ??
    diffMap('PCollection', a.pcollections ?? {}, b.pcollections ?? {}, describePCollectionDiff) ??
    diffMap('coder', a.coders ?? {}, b.coders ?? {}, describeCoderDiff) ??
    diffMap('windowing strategy', a.windowingStrategies ?? {}, b.windowingStrategies ?? {}, (x, y) => bytesDiffer(beam.WindowingStrategy, x, y) ? 'its settings (window fn, trigger, accumulation, lateness)' : undefined) ??
    diffMap('environment', a.environments ?? {}, b.environments ?? {}, (x, y) => (x.urn !== y.urn ? `urn ${x.urn}, this program has ${y.urn}` : bytesDiffer(beam.Environment, x, y) ? 'its settings' : undefined)) ??
    diffList('root transforms', submitted.rootTransformIds ?? [], rebuilt.rootTransformIds ?? []) ??
    diffList('requirements', submitted.requirements ?? [], rebuilt.requirements ?? []) ??
    diffDisplayData(submitted.displayData ?? [], rebuilt.displayData ?? [])
  );
}

/** Pipeline display data: the options digest and the trigger predicates (keyed by URN). */
function diffDisplayData(a: readonly beam.IDisplayData[], b: readonly beam.IDisplayData[]): string | undefined {
  const byUrn = (list: readonly beam.IDisplayData[]) => new Map(list.map((d) => [d.urn ?? '', d.payload ?? new Uint8Array()]));
  const x = byUrn(a);
  const y = byUrn(b);
  for (const urn of [...new Set([...x.keys(), ...y.keys()])].sort()) {
    if (sameBytes(x.get(urn), y.get(urn))) continue;
    if (urn === OPTIONS_DIGEST_URN) {
      return 'the pipeline options differ (their digest, tributary:display_data:options_digest:v1): give the worker the same option values as the submission';
    }
    return `pipeline display data ${urn}: submitted ${printable(x.get(urn)) ?? '(binary)'}, this program has ${printable(y.get(urn)) ?? '(binary)'}`;
  }
  return undefined;
}

/** Transforms in graph order (roots, then each composite's parts), then any only the rebuilt graph has. */
function diffTransforms(submitted: beam.IPipeline, rebuilt: beam.IPipeline): string | undefined {
  const a = submitted.components?.transforms ?? {};
  const b = rebuilt.components?.transforms ?? {};
  const order: string[] = [];
  const seen = new Set<string>();
  const walk = (id: string, ts: Dict<beam.IPTransform>): void => {
    if (seen.has(id)) return;
    seen.add(id);
    order.push(id);
    for (const sub of ts[id]?.subtransforms ?? []) walk(sub, ts);
  };
  for (const id of submitted.rootTransformIds ?? []) walk(id, a);
  for (const id of Object.keys(a).sort()) walk(id, a);
  for (const id of rebuilt.rootTransformIds ?? []) walk(id, b);
  for (const id of Object.keys(b).sort()) walk(id, b);

  for (const id of order) {
    const x = a[id];
    const y = b[id];
    if (x && !y) return `submitted pipeline has transform "${id}" that this program does not build`;
    if (!x && y) return `this program builds transform "${id}" that the submitted pipeline does not have`;
    if (x && y) {
      const why = describeTransformDiff(x, y);
      if (why) return `transform "${id}" differs: ${why}`;
    }
  }
  return undefined;
}

function describeTransformDiff(x: beam.IPTransform, y: beam.IPTransform): string | undefined {
  const urnA = x.spec?.urn || '(composite)';
  const urnB = y.spec?.urn || '(composite)';
  if (urnA !== urnB) return `submitted urn ${urnA}, this program has ${urnB}`;
  if ((x.uniqueName ?? '') !== (y.uniqueName ?? '')) return `submitted name "${x.uniqueName}", this program has "${y.uniqueName}"`;
  const inputs = diffStringMap(x.inputs ?? {}, y.inputs ?? {});
  if (inputs) return `inputs: ${inputs}`;
  const outputs = diffStringMap(x.outputs ?? {}, y.outputs ?? {});
  if (outputs) return `outputs: ${outputs}`;
  const subs = diffList('parts', x.subtransforms ?? [], y.subtransforms ?? []);
  if (subs) return subs;
  if ((x.environmentId ?? '') !== (y.environmentId ?? '')) return `submitted environment "${x.environmentId}", this program has "${y.environmentId}"`;
  if (!sameBytes(x.spec?.payload, y.spec?.payload)) return `its ${urnA} payload: ${describePayloadDiff(urnA, x.spec?.payload, y.spec?.payload)}`;
  if (bytesDiffer(beam.PTransform, x, y)) return 'its display data or annotations';
  return undefined;
}

function describePayloadDiff(urn: string, a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): string {
  if (urn === URN.PAR_DO) {
    try {
      const pa = beam.ParDoPayload.decode(a ?? new Uint8Array());
      const pb = beam.ParDoPayload.decode(b ?? new Uint8Array());
      if (!sameBytes(pa.doFn?.payload, pb.doFn?.payload) || pa.doFn?.urn !== pb.doFn?.urn) {
        return `submitted DoFn ${fnText(pa.doFn)}, this program has ${fnText(pb.doFn)}`;
      }
      const side = diffList('side inputs', Object.keys(pa.sideInputs ?? {}).sort(), Object.keys(pb.sideInputs ?? {}).sort());
      if (side) return side;
      return 'its ParDo settings (side inputs, state, timers, splittable)';
    } catch {
      // not a ParDoPayload after all; fall through to a byte-level description
    }
  }
  const ta = printable(a);
  const tb = printable(b);
  if (ta !== undefined && tb !== undefined) return `submitted ${ta}, this program has ${tb}`;
  return `submitted ${a?.length ?? 0} bytes, this program has ${b?.length ?? 0} bytes`;
}

function fnText(spec: beam.IFunctionSpec | null | undefined): string {
  if (!spec) return '(none)';
  const text = printable(spec.payload);
  return text !== undefined ? text : `${spec.urn} (${spec.payload?.length ?? 0} bytes)`;
}

function describePCollectionDiff(x: beam.IPCollection, y: beam.IPCollection): string | undefined {
  if ((x.coderId ?? '') !== (y.coderId ?? '')) return `submitted coder "${x.coderId}", this program has "${y.coderId}"`;
  if ((x.windowingStrategyId ?? '') !== (y.windowingStrategyId ?? '')) {
    return `submitted windowing strategy "${x.windowingStrategyId}", this program has "${y.windowingStrategyId}"`;
  }
  if ((x.isBounded ?? 0) !== (y.isBounded ?? 0)) return `submitted ${bounded(x.isBounded)}, this program has ${bounded(y.isBounded)}`;
  if ((x.uniqueName ?? '') !== (y.uniqueName ?? '')) return `submitted name "${x.uniqueName}", this program has "${y.uniqueName}"`;
  if (bytesDiffer(beam.PCollection, x, y)) return 'its display data';
  return undefined;
}

function bounded(b: beam.IsBounded.Enum | null | undefined): string {
  return b === beam.IsBounded.Enum.UNBOUNDED ? 'unbounded' : b === beam.IsBounded.Enum.BOUNDED ? 'bounded' : 'unspecified boundedness';
}

function describeCoderDiff(x: beam.ICoder, y: beam.ICoder): string | undefined {
  const text = (c: beam.ICoder) => `${c.spec?.urn ?? '(no urn)'}${c.componentCoderIds?.length ? ` (components ${c.componentCoderIds.join(', ')})` : ''}`;
  if (text(x) !== text(y)) return `submitted ${text(x)}, this program has ${text(y)}`;
  if (!sameBytes(x.spec?.payload, y.spec?.payload)) return `its ${x.spec?.urn} payload: ${describePayloadDiff(x.spec?.urn ?? '', x.spec?.payload, y.spec?.payload)}`;
  return undefined;
}

function diffMap<T>(what: string, a: Dict<T>, b: Dict<T>, describe: (x: T, y: T) => string | undefined): string | undefined {
  const ids = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const id of ids) {
    const x = a[id];
    const y = b[id];
    if (x !== undefined && y === undefined) return `submitted pipeline has ${what} "${id}" that this program does not build`;
    if (x === undefined && y !== undefined) return `this program builds ${what} "${id}" that the submitted pipeline does not have`;
    const why = describe(x!, y!);
    if (why) return `${what} "${id}" differs: ${why}`;
  }
  return undefined;
}

function diffStringMap(a: Dict<string>, b: Dict<string>): string | undefined {
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  for (const k of keys) {
    if (a[k] !== b[k]) {
      const side = (v: string | undefined) => (v === undefined ? 'nothing' : `"${v}"`);
      return `"${k}" is ${side(a[k])} in the submitted pipeline, ${side(b[k])} in this program`;
    }
  }
  return undefined;
}

function diffList(what: string, a: readonly string[], b: readonly string[]): string | undefined {
  if (a.length === b.length && a.every((v, i) => v === b[i])) return undefined;
  return `${what}: submitted [${a.map((v) => `"${v}"`).join(', ')}], this program has [${b.map((v) => `"${v}"`).join(', ')}]`;
}

interface Encodable<T> {
  encode(message: T): { finish(): Uint8Array };
}

function bytesDiffer<T>(type: Encodable<T>, x: T, y: T): boolean {
  return !sameBytes(type.encode(x).finish(), type.encode(y).finish());
}

function sameBytes(a: Uint8Array | null | undefined, b: Uint8Array | null | undefined): boolean {
  const x = a ?? new Uint8Array();
  const y = b ?? new Uint8Array();
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Short payloads that are readable text (user function references are JSON) are shown as text. */
function printable(bytes: Uint8Array | null | undefined): string | undefined {
  if (!bytes || bytes.length === 0) return '(empty)';
  if (bytes.length > 300) return undefined;
  try {
    const text = decoder.decode(bytes);
    // eslint-disable-next-line no-control-regex
    return /^[^\u0000-\u0008\u000e-\u001f]*$/.test(text) ? text : undefined;
  } catch {
    return undefined;
  }
}
