/**
 * A process-bundle descriptor → a plan of units (Beam Go's `exec/translate.go`). Each transform
 * of the fused stage becomes one unit by its URN; the units of the execution layer (`exec/`)
 * run user code exactly as on the direct runner, and the harness adds only the edges: data
 * sources and sinks, side inputs and state over the state plane, timers over the data plane,
 * and the splittable-DoFn phases. What it cannot run fails here, before an element moves,
 * naming the transform and the URN.
 */
import { pipeline as beam, fnExecution as fn } from '../../../portability-proto/index.js';
import { WindowedValueCoder, type Coder } from '../../../sdk/coders/index.js';
import { MetricsContainer } from '../../../sdk/metrics/container.js';
import type { CombineFn } from '../../../sdk/transforms/combine-fn.js';
import type { DoFn } from '../../../sdk/transforms/dofn.js';
import type { PCollectionView } from '../../../sdk/transforms/side-inputs.js';
import type { SplittableDoFn } from '../../../sdk/transforms/splittable.js';
import { ProtoReader } from '../../../sdk/translate/from-proto.js';
import { decodeUserFnRef, splitUserFnId } from '../../../sdk/translate/user-fn-spec.js';
import { URN } from '../../../sdk/urns.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { windowFnFromProto } from '../../../sdk/window/window-fn-proto.js';
import { CombineGroupedValuesUnit, ExtractOutputsUnit, MergeAccumulatorsUnit, PrecombineUnit } from '../../exec/combine-phases.js';
import { FlattenOperator } from '../../exec/flatten.js';
import { groupingKeyFn } from '../../exec/grouping-key.js';
import { MergingPrecombineUnit } from '../../exec/merging-precombine.js';
import { MergeSessionsUnit, ReifySessionsUnit, SESSIONS_IN_WORKERS_URN, type MergeSessionsSpec } from '../../exec/session-groups.js';
import { ParDoOperator } from '../../exec/pardo.js';
import { statefulDecl, isStatefulPayload } from '../../exec/state/from-payload.js';
import { receiverFor, type Receiver } from '../../exec/unit.js';
import { WindowIntoOperator } from '../../exec/window-into.js';
import type { HarnessDataSampler } from '../data-sampling.js';
import { UnsupportedByHarnessError } from '../errors.js';
import type { HarnessUnit } from './context.js';
import { DataSinkUnit } from './data-sink.js';
import { DataSourceUnit } from './data-source.js';
import { MergeWindowsUnit } from './merge-windows.js';
import { PairWithRestrictionUnit, ProcessSizedElementsUnit, SplitAndSizeUnit } from './sdf.js';
import { SideInputPrefetch, type SideInputSpec } from './side-inputs.js';
import { RemoteStatefulParDo } from './stateful.js';
import { EXPANSION_URN, GABW_STATE, GABW_TIMER, GroupAlsoByWindowUnit, ReifyWindowsUnit, type GroupAlsoByWindowSpec } from './group-also-by-window.js';
import { triggerSlotsDisplayData } from '../../../sdk/trigger/proto.js';

export const FN_URN = {
  DATA_SOURCE: 'beam:runner:source:v1',
  DATA_SINK: 'beam:runner:sink:v1',
  PAIR_WITH_RESTRICTION: 'beam:transform:sdf_pair_with_restriction:v1',
  SPLIT_AND_SIZE: 'beam:transform:sdf_split_and_size_restrictions:v1',
  PROCESS_SIZED: 'beam:transform:sdf_process_sized_element_and_restrictions:v1',
  TRUNCATE: 'beam:transform:sdf_truncate_sized_restrictions:v1',
  MERGE_WINDOWS: 'beam:transform:merge_windows:v1',
  ASSIGN_WINDOWS: 'beam:transform:window_into:v1',
} as const;

const DEFAULT_MAX_CONCURRENCY = 16;

/** A unit the runner fires timers for (one family per chunk). */
export interface TimerTarget {
  acceptTimers(family: string, bytes: Uint8Array): Promise<void>;
}

/** A descriptor's units, built once and reused for many bundles (one bundle at a time). */
export interface BundlePlan {
  readonly descriptorId: string;
  /** Every unit, producers before consumers (finishBundle runs in this order). */
  readonly units: readonly HarnessUnit[];
  readonly sources: ReadonlyMap<string, DataSourceUnit>;
  readonly sinks: readonly DataSinkUnit[];
  /** Stateful units by transform id (timers arrive for them). */
  readonly timerTargets: ReadonlyMap<string, TimerTarget>;
  /** The (transform, timer family) streams the runner closes with is_last in every bundle. */
  readonly timerStreams: readonly { readonly transformId: string; readonly family: string }[];
  readonly splittables: readonly ProcessSizedElementsUnit[];
  /** Metrics by transform id (monitoring infos name the transform by id). */
  readonly metrics: ReadonlyMap<string, MetricsContainer>;
  /** Element counts per PCollection (data sources and sinks). */
  readonly pcollectionOf: ReadonlyMap<string, string>;
}

/** `sampler`: when the runner turned data sampling on, every PCollection's elements pass it. */
export function buildPlan(descriptor: fn.ProcessBundleDescriptor, userFns: ReadonlyMap<string, unknown>, sampler?: HarnessDataSampler): BundlePlan {
  const reader = new ProtoReader({ components: { transforms: descriptor.transforms, pcollections: descriptor.pcollections, windowingStrategies: descriptor.windowingStrategies, coders: descriptor.coders, environments: descriptor.environments } }, userFns);
  const transforms = descriptor.transforms as Record<string, beam.PTransform>;
  const ids = Object.keys(transforms).sort();
  const consumers = new Map<string, string[]>();
  const producer = new Map<string, string>();
  for (const id of ids) {
    const t = transforms[id]!;
    const sideTags = sideInputTags(t);
    for (const [local, pc] of Object.entries(t.inputs)) if (!sideTags.has(local)) (consumers.get(pc) ?? consumers.set(pc, []).get(pc)!).push(id);
    for (const pc of Object.values(t.outputs)) producer.set(pc, id);
  }
  const order = topological(ids, transforms, producer);
  const built = new Map<string, Receiver>();
  const units: HarnessUnit[] = [];
  const sources = new Map<string, DataSourceUnit>();
  const sinks: DataSinkUnit[] = [];
  const timerTargets = new Map<string, TimerTarget>();
  const timerStreams: { transformId: string; family: string }[] = [];
  const splittables: ProcessSizedElementsUnit[] = [];
  const metrics = new Map<string, MetricsContainer>();
  const pcollectionOf = new Map<string, string>();

  const pcoll = (id: string): beam.IPCollection => {
    const p = descriptor.pcollections[id];
    if (!p) throw new UnsupportedByHarnessError(`the bundle descriptor "${descriptor.id}" refers to PCollection "${id}", which it does not define`);
    return p;
  };
  const strategyOf = (pc: string) => reader.windowingStrategy(pcoll(pc).windowingStrategyId ?? '');
  const coderOf = (pc: string): Coder<unknown> => reader.coder(pcoll(pc).coderId ?? '');
  const windowedCoderOf = (pc: string): Coder<WindowedValue<unknown>> => new WindowedValueCoder(coderOf(pc), strategyOf(pc).windowFn.windowCoder() as Coder<BoundedWindow>);
  const metricsFor = (id: string, name: string): MetricsContainer => {
    let m = metrics.get(id);
    if (!m) metrics.set(id, (m = new MetricsContainer(name)));
    return m;
  };
  const receiverOf = (pc: string | undefined): Receiver => {
    if (pc === undefined) return receiverFor([]);
    const receiver = receiverFor((consumers.get(pc) ?? []).map((c) => built.get(c)!));
    return sampler ? sampler.tap(pc, windowedCoderOf(pc), receiver) : receiver;
  };

  /** A GroupByKey the submission expanded: its reducer runs here (group-also-by-window.ts). */
  const groupAlsoByWindow = (id: string, name: string, payload: beam.ParDoPayload, inputCoder: Coder<unknown>, inputName: string, out: Receiver, latePc: string | undefined) => {
    const spec = JSON.parse(new TextDecoder().decode(payload.doFn!.payload ?? new Uint8Array())) as GroupAlsoByWindowSpec;
    // The descriptor carries no pipeline display data: the spec brings the trigger's predicates.
    const withPredicates = readerWithStrategy(spec, triggerSlotsDisplayData(new Map([[spec.windowingStrategyId, spec.triggerSlots]])));
    const [keyCoder, lengthPrefixed] = inputCoder.components;
    const valueCoder = lengthPrefixed?.components[0]?.components[0];
    if (!keyCoder || !valueCoder) throw new UnsupportedByHarnessError(`"${name}" groups input "${inputName}", whose coder is not KV<K, KV<V, windows>>`);
    const timerSpec = payload.timerFamilySpecs[GABW_TIMER];
    return new GroupAlsoByWindowUnit({
      name: spec.name || name,
      transformId: id,
      strategy: withPredicates.windowingStrategy(spec.windowingStrategyId),
      keyCoder,
      valueCoder,
      inputName,
      stateId: GABW_STATE,
      timerFamily: GABW_TIMER,
      timerCoder: reader.coder(timerSpec?.timerFamilyCoderId ?? ''),
      main: out,
      late: latePc === undefined ? undefined : receiverOf(latePc),
      metrics: metricsFor(id, spec.name || name),
    });
  };

  /** The reader with a windowing strategy a spec carries (base64) under its id: the stage's own
   *  PCollections may not refer to it. */
  const readerWithStrategy = (spec: { readonly windowingStrategyId: string; readonly windowingStrategy: string }, displayData: beam.IDisplayData[] = []): ProtoReader => {
    const components = reader.proto.components ?? {};
    const original = beam.WindowingStrategy.decode(Buffer.from(spec.windowingStrategy, 'base64'));
    return new ProtoReader({ components: { ...components, windowingStrategies: { ...components.windowingStrategies, [spec.windowingStrategyId]: original } }, displayData }, userFns);
  };

  /** A ParDo's side inputs as the prefetch unit reads them. */
  const sideInputSpecs = (t: beam.IPTransform, payload: beam.ParDoPayload, name: string): SideInputSpec[] => {
    const specs: SideInputSpec[] = [];
    for (const [local, pc] of Object.entries(t.inputs ?? {})) {
      const si = payload.sideInputs[local];
      if (!si) continue;
      const viewRef = decodeUserFnRef(si.viewFn?.payload, name);
      specs.push({
        localName: local,
        name: local.startsWith('side:') ? local.slice('side:'.length) : local,
        view: reader.userFn(viewRef.id) as PCollectionView<unknown>,
        multimap: si.accessPattern?.urn === URN.SIDE_INPUT_MULTIMAP,
        coder: coderOf(pc),
        strategy: strategyOf(pc),
      });
    }
    return specs;
  };

  // Consumers first, so each unit is built with its receivers.
  for (const id of [...order].reverse()) {
    const t = transforms[id]!;
    const urn = t.spec?.urn ?? '';
    const name = t.uniqueName || id;
    const mainInputs = Object.entries(t.inputs).filter(([local]) => !sideInputTags(t).has(local));
    const outputs = new Map(Object.entries(t.outputs));
    const mainOutPc = outputs.get('out') ?? outputs.get('i0') ?? (outputs.size === 1 ? [...outputs.values()][0] : undefined);
    const main = () => receiverOf(mainOutPc);
    const tagged = () => new Map([...outputs].filter(([tag]) => tag !== 'out' && outputs.get(tag) !== mainOutPc).map(([tag, pc]) => [tag, receiverOf(pc)]));
    const fail = (why: string) => new UnsupportedByHarnessError(`transform "${name}" (${urn}) in bundle descriptor "${descriptor.id}": ${why}`);
    let unit: HarnessUnit | undefined;
    switch (urn) {
      case FN_URN.DATA_SOURCE: {
        const port = fn.RemoteGrpcPort.decode(payloadOf(t));
        const out = [...outputs.values()][0]!;
        const source = new DataSourceUnit(id, reader.coder(port.coderId) as Coder<WindowedValue<unknown>>, receiverOf(out));
        sources.set(id, source);
        pcollectionOf.set(id, out);
        built.set(id, { receive: () => { throw fail('a data source has no input'); } });
        continue;
      }
      case FN_URN.DATA_SINK: {
        const port = fn.RemoteGrpcPort.decode(payloadOf(t));
        const sink = new DataSinkUnit(name, id, reader.coder(port.coderId) as Coder<WindowedValue<unknown>>, pcoll(mainInputs[0]![1]).uniqueName || mainInputs[0]![1]);
        sinks.push(sink);
        pcollectionOf.set(id, mainInputs[0]![1]);
        built.set(id, sink);
        continue;
      }
      case URN.PAR_DO: {
        const payload = beam.ParDoPayload.decode(payloadOf(t));
        const input = mainInputs[0]![1];
        if (payload.doFn?.urn === EXPANSION_URN.REIFY_WINDOWS) {
          unit = new ReifyWindowsUnit(name, main());
          break;
        }
        if (payload.doFn?.urn === SESSIONS_IN_WORKERS_URN.REIFY) {
          const keyCoder = coderOf(input).components[0];
          if (!keyCoder) throw fail(`its input "${input}" is not key/value`);
          unit = new ReifySessionsUnit(name, groupingKeyFn(keyCoder, pcoll(input).uniqueName ?? input), main());
          break;
        }
        if (payload.doFn?.urn === SESSIONS_IN_WORKERS_URN.MERGE) {
          const spec = JSON.parse(new TextDecoder().decode(payload.doFn.payload ?? new Uint8Array())) as MergeSessionsSpec;
          unit = new MergeSessionsUnit(spec.name || name, readerWithStrategy(spec).windowingStrategy(spec.windowingStrategyId), main());
          break;
        }
        if (payload.doFn?.urn === EXPANSION_URN.GROUP_ALSO_BY_WINDOW) {
          const g = groupAlsoByWindow(id, name, payload, coderOf(input), pcoll(input).uniqueName || input, main(), outputs.get('late'));
          timerTargets.set(id, g);
          timerStreams.push({ transformId: id, family: GABW_TIMER });
          unit = g;
          break;
        }
        const ref = decodeUserFnRef(payload.doFn?.payload, name);
        if (payload.restrictionCoderId) throw fail('a splittable DoFn must reach the harness expanded into its phases (pair with restriction, split and size, process)');
        const specs = sideInputSpecs(t, payload, name);
        if (isStatefulPayload(payload)) {
          const decl = statefulDecl({ name, payload, ref, reader, inputCoder: coderOf(input), inputName: pcoll(input).uniqueName ?? input, strategy: strategyOf(input) });
          const timerCoders = new Map<string, Coder<unknown>>();
          for (const [family, spec] of Object.entries(payload.timerFamilySpecs)) {
            timerCoders.set(family, reader.coder(spec.timerFamilyCoderId ?? ''));
            timerStreams.push({ transformId: id, family });
          }
          const statefulPrefetch = specs.length ? new SideInputPrefetch(name, id, specs, { receive: (wv) => s.receive(wv) }) : undefined;
          const s = new RemoteStatefulParDo({ name, transformId: id, decl, main: main(), tagged: tagged(), metrics: metricsFor(id, name), timerCoders, sideInputs: statefulPrefetch?.accesses() });
          timerTargets.set(id, s);
          if (statefulPrefetch) units.push(s);
          unit = statefulPrefetch ?? s;
          break;
        }
        const prefetch = specs.length ? new SideInputPrefetch(name, id, specs, { receive: (wv) => pardo.receive(wv) }) : undefined;
        const pardo: ParDoOperator = new ParDoOperator({
          name,
          fn: reader.userFn(ref.id) as DoFn<unknown, unknown, Record<string, unknown>, Record<string, unknown>>,
          main: main(),
          tagged: tagged(),
          elementWise: ref.elementWise === true,
          maxConcurrency: typeof ref.maxConcurrency === 'number' ? ref.maxConcurrency : DEFAULT_MAX_CONCURRENCY,
          sideInputs: prefetch ? prefetch.accesses() : new Map(),
          metrics: metricsFor(id, name),
        });
        if (prefetch) units.push(pardo);
        unit = prefetch ?? pardo;
        break;
      }
      case FN_URN.PAIR_WITH_RESTRICTION:
      case FN_URN.SPLIT_AND_SIZE:
      case FN_URN.TRUNCATE:
      case FN_URN.PROCESS_SIZED: {
        const payload = beam.ParDoPayload.decode(payloadOf(t));
        const ref = decodeUserFnRef(payload.doFn?.payload, name);
        const sdf = reader.userFn(ref.id) as SplittableDoFn<unknown, unknown, unknown, unknown, Record<string, unknown>>;
        // Errors and metrics name the user's transform, not the runner's name for a phase of it
        // (Prism's "e<id>_processandsplit"): a read's metrics are found under its own name on
        // every runner. The user's transform name is its id in the pipeline we submitted.
        const userName = splitUserFnId(ref.id)?.owner ?? name;
        const m = metricsFor(userName, userName);
        if (urn === FN_URN.PAIR_WITH_RESTRICTION) unit = new PairWithRestrictionUnit({ name: userName, fn: sdf, output: main(), metrics: m });
        else if (urn === FN_URN.SPLIT_AND_SIZE) unit = new SplitAndSizeUnit(name, main());
        // Truncate (the runner drains): restrictions are kept whole, as Beam does for bounded reads.
        else if (urn === FN_URN.TRUNCATE) unit = new FlattenOperator(name, main());
        else {
          const [inputId, input] = mainInputs[0]!;
          const p = new ProcessSizedElementsUnit({
            name: userName,
            transformId: id,
            inputId,
            fn: sdf,
            main: main(),
            tagged: tagged(),
            metrics: m,
            inputCoder: windowedCoderOf(input),
            outputIds: [...outputs.keys()],
            bounded: pcoll(input).isBounded !== beam.IsBounded.Enum.UNBOUNDED,
          });
          splittables.push(p);
          unit = p;
        }
        break;
      }
      case URN.WINDOW_INTO: {
        const out = [...outputs.values()][0]!;
        unit = new WindowIntoOperator(name, strategyOf(out), receiverOf(out));
        break;
      }
      case URN.FLATTEN:
        unit = new FlattenOperator(name, receiverOf([...outputs.values()][0]));
        break;
      case FN_URN.MERGE_WINDOWS:
        unit = new MergeWindowsUnit(name, windowFnFromProto(payloadOf(t).length ? beam.FunctionSpec.decode(payloadOf(t)) : null, reader), main());
        break;
      case URN.COMBINE_PER_KEY_PRECOMBINE:
      case URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS:
      case URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS:
      case URN.COMBINE_GROUPED_VALUES: {
        const payload = beam.CombinePayload.decode(payloadOf(t));
        const ref = decodeUserFnRef(payload.combineFn?.payload, name);
        const combineFn = reader.userFn(ref.id) as CombineFn<unknown, unknown, unknown>;
        const cfg = { name, fn: combineFn, output: main(), metrics: metricsFor(id, name) };
        if (urn === URN.COMBINE_PER_KEY_PRECOMBINE) {
          const input = mainInputs[0]![1];
          const keyCoder = coderOf(input).components[0];
          if (!keyCoder) throw fail(`its input "${input}" is not key/value`);
          const windowFn = strategyOf(input).windowFn;
          const keyOf = groupingKeyFn(keyCoder, pcoll(input).uniqueName ?? input);
          if (!windowFn.isMerging) unit = new PrecombineUnit({ ...cfg, keyOf });
          else if (windowFn.mergesOverlappingIntervals) unit = new MergingPrecombineUnit({ ...cfg, keyOf });
          else throw fail('a combine under a merging window fn other than sessions cannot be precombined; submit it unlifted');
        } else if (urn === URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS) unit = new MergeAccumulatorsUnit(cfg);
        else if (urn === URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS) unit = new ExtractOutputsUnit(cfg);
        else unit = new CombineGroupedValuesUnit(cfg);
        break;
      }
      default:
        throw fail('this harness does not execute that URN (supported: ParDo, stateful ParDo, splittable-DoFn phases, Window.into, merge windows, Flatten, lifted Combine phases)');
    }
    built.set(id, unit);
    units.push(unit);
  }
  units.reverse();
  return { descriptorId: descriptor.id, units, sources, sinks, timerTargets, timerStreams, splittables, metrics, pcollectionOf };
}

function payloadOf(t: beam.IPTransform): Uint8Array {
  return t.spec?.payload ?? new Uint8Array();
}

function sideInputTags(t: beam.PTransform): ReadonlySet<string> {
  if (t.spec?.urn !== URN.PAR_DO) return new Set();
  return new Set(Object.keys(beam.ParDoPayload.decode(payloadOf(t)).sideInputs));
}

function topological(ids: readonly string[], transforms: Record<string, beam.PTransform>, producer: ReadonlyMap<string, string>): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (id: string): void => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new UnsupportedByHarnessError(`the bundle descriptor has a cycle through transform "${id}"`);
    state.set(id, 'visiting');
    for (const pc of Object.values(transforms[id]!.inputs)) {
      const p = producer.get(pc);
      if (p !== undefined) visit(p);
    }
    state.set(id, 'done');
    order.push(id);
  };
  ids.forEach(visit);
  return order;
}
