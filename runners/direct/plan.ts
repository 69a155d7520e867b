/**
 * Turns a pipeline proto into operators. It executes each leaf transform by its URN, except the
 * composites it runs natively (Combine.perKey / Combine.globally: lifted, never grouping values
 * into lists). Anything else it does not know fails here, before a single element moves.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { Coders, WindowedValueCoder, type Coder } from '../../sdk/coders/index.js';
import { InternalError, UnsupportedFeatureError } from '../../sdk/errors.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import type { CombineFn } from '../../sdk/transforms/combine-fn.js';
import type { DoFn } from '../../sdk/transforms/dofn.js';
import type { PCollectionView } from '../../sdk/transforms/side-inputs.js';
import { restrictionOfWire } from '../../sdk/transforms/splittable.js';
import { ProtoReader } from '../../sdk/translate/from-proto.js';
import { decodeUserFnRef } from '../../sdk/translate/user-fn-spec.js';
import { URN } from '../../sdk/urns.js';
import { groupingKeyFn } from '../exec/grouping-key.js';
import { FlattenOperator } from '../exec/flatten.js';
import { GroupOperator, type Aggregation } from './operators/group.js';
import { LIST_AGGREGATION, combineAggregation } from '../exec/windowing/aggregations.js';
import { guardedCombineFn } from '../exec/user-combine-fn.js';
import type { GroupCoders } from '../exec/windowing/group-snapshot.js';
import { receiverFor, type Operator, type Receiver } from '../exec/unit.js';
import { ParDoOperator, type SideInputAccess } from '../exec/pardo.js';
import { SideInputCollector } from './operators/side-input.js';
import { SplittableParDoOperator, type SplittableConfig } from '../exec/splittable.js';
import type { Scheduler } from './executor.js';
import { FusedWindowInto } from './operators/window-into.js';
import { WindowIntoOperator } from '../exec/window-into.js';
import { StableInputOperator } from './stable-input.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import type { PCollectionTaps } from './pcollection-taps.js';
import { ImpulseSource, TestStreamSource, type RootSource } from './sources.js';
import { RebundledOperator, changesBundles, type BundleSettings } from './bundle-settings.js';
import { isStatefulPayload, statefulParDo } from '../exec/state/from-payload.js';
import { STATE_URN } from '../../sdk/state/urns.js';
import { PlanError } from '../exec/errors.js';
import type { ArrivalClock } from '../exec/arrival-clock.js';
import { SideInputGate } from '../exec/side-input-gate.js';

const NATIVE_COMPOSITES = new Set<string>([URN.COMBINE_PER_KEY, URN.COMBINE_GLOBALLY]);
const DEFAULT_MAX_CONCURRENCY = 16;

export interface PlanNode {
  readonly id: string;
  readonly op: Operator;
  /** Watermark upstream: the nodes producing this node's inputs. */
  readonly upstream: readonly string[];
  readonly root?: { readonly source: RootSource; readonly output: Receiver };
}

export interface ExecutionPlan {
  /** Topological order: producers before consumers. */
  readonly nodes: readonly PlanNode[];
  readonly metrics: ReadonlyMap<string, MetricsContainer>;
}

interface Executable {
  readonly id: string;
  readonly transform: beam.IPTransform;
  readonly urn: string;
  readonly mainInputs: readonly string[];
  readonly sideInputs: ReadonlyMap<string, string>; // local name → pcollection id
  readonly outputs: ReadonlyMap<string, string>; // tag → pcollection id
}

export interface PlanContext {
  /** The input watermark of a plan node, for side-input readiness. */
  watermarkOf(nodeId: string): import('../../sdk/time/instant.js').Instant;
  /** For operators with work of their own outside bundles (splittable reads). */
  readonly scheduler: Scheduler;
  /** Stamps the turns that hand input to the graph, for groupings' arrival-to-pane latency. */
  readonly arrivals?: ArrivalClock;
  /** Whether groupings record that latency; default: when an unbounded splittable read feeds
   *  the pipeline (a live input). */
  readonly arrivalLatency?: boolean;
  /** The run checkpoints: a ParDo requiring stable input waits for durable checkpoints
   *  (stable-input.ts). Without checkpoints nothing is replayed and its input is stable as is. */
  readonly checkpointing?: boolean;
  /** A watched job counts and samples every PCollection (pcollection-taps.ts). */
  readonly taps?: PCollectionTaps;
  /** How bundles are cut and ordered at grouping and stateful inputs (bundle-settings.ts). */
  readonly bundles?: BundleSettings;
  /** Reads emit column batches even to consumers that take elements, which get their rows one by one (DirectRunnerOptions.columnBatches). */
  readonly alwaysBatch?: boolean;
}

/** Pipeline requirements this runner honours; any other fails the plan (Beam's rule). */
const SUPPORTED_REQUIREMENTS = new Set<string>([URN.REQUIREMENT_SPLITTABLE_DOFN, STATE_URN.REQUIRES_STATEFUL_PROCESSING, URN.REQUIREMENT_REQUIRES_STABLE_INPUT]);

export function buildPlan(proto: beam.IPipeline, userFns: ReadonlyMap<string, unknown>, runnerName: string, ctx: PlanContext): ExecutionPlan {
  for (const requirement of proto.requirements ?? []) {
    if (!SUPPORTED_REQUIREMENTS.has(requirement)) throw new UnsupportedFeatureError(requirement, runnerName, 'pipeline requirement');
  }
  const reader = new ProtoReader(proto, userFns);
  const executables = collectExecutables(reader, runnerName);
  const producer = new Map<string, string>();
  for (const e of executables) for (const pc of e.outputs.values()) producer.set(pc, e.id);

  const order = topologicalOrder(executables, producer);
  const recordArrivals = ctx.arrivalLatency ?? executables.some((e) => readsLive(e, reader));
  const consumers = new Map<string, Receiver[]>();
  const collectors = new Map<string, { node: PlanNode; collector: SideInputCollector }>();
  const metrics = new Map<string, MetricsContainer>();
  const built = new Map<string, PlanNode>();

  const metricsFor = (id: string): MetricsContainer => {
    let m = metrics.get(id);
    if (!m) metrics.set(id, (m = new MetricsContainer(id)));
    return m;
  };
  const outputReceiver = (pc: string): Receiver => {
    const receiver = receiverFor(consumers.get(pc) ?? []);
    return ctx.taps ? ctx.taps.wrap(pc, receiver) : receiver;
  };
  const pcollection = (id: string): beam.IPCollection => reader.components.pcollections![id]!;
  const strategyOf = (pc: string) => reader.windowingStrategy(pcollection(pc).windowingStrategyId ?? '');
  const coderOfPc = (pc: string): Coder<unknown> => reader.coder(pcollection(pc).coderId ?? '');

  const sideCollector = (pc: string): SideInputCollector => {
    let c = collectors.get(pc);
    if (!c) {
      const id = `${pc}#side-input`;
      const collector = new SideInputCollector(id, strategyOf(pc), () => ctx.watermarkOf(id), coderOfPc(pc));
      c = { collector, node: { id, op: collector, upstream: [producer.get(pc)!] } };
      collectors.set(pc, c);
      (consumers.get(pc) ?? consumers.set(pc, []).get(pc)!).push(collector);
    }
    return c.collector;
  };

  for (const e of [...order].reverse()) {
    const name = e.transform.uniqueName ?? e.id;
    const upstream = [...new Set([...e.mainInputs, ...e.sideInputs.values()].map((pc) => producer.get(pc)!))];
    let op: Operator;
    let root: PlanNode['root'];
    /** Keyed input (grouping, stateful ParDo): where bundle settings re-cut and re-order. */
    let keyedInput = false;
    const mainOut = () => outputReceiver(e.outputs.get('out') ?? [...e.outputs.values()][0]!);
    switch (e.urn) {
      case URN.IMPULSE:
        op = rootOperator(name);
        root = { source: new ImpulseSource(), output: mainOut() };
        break;
      case URN.TEST_STREAM: {
        op = rootOperator(name);
        root = { source: TestStreamSource.fromPayload(beam.TestStreamPayload.decode(e.transform.spec!.payload!), reader), output: mainOut() };
        break;
      }
      case URN.PAR_DO: {
        const payload = beam.ParDoPayload.decode(e.transform.spec!.payload!);
        const ref = decodeUserFnRef(payload.doFn?.payload, name);
        const tagged = new Map<string, Receiver>();
        for (const [tag, pc] of e.outputs) if (tag !== 'out') tagged.set(tag, outputReceiver(pc));
        if (payload.restrictionCoderId) {
          if (payload.requiresStableInput) throw new UnsupportedFeatureError(URN.REQUIREMENT_REQUIRES_STABLE_INPUT, runnerName, `splittable transform "${name}"`);
          op = new SplittableParDoOperator({
            name,
            fn: reader.userFn(ref.id) as SplittableConfig['fn'],
            main: e.outputs.has('out') ? outputReceiver(e.outputs.get('out')!) : receiverFor([]),
            tagged,
            metrics: metricsFor(name),
            scheduler: ctx.scheduler,
            elementCoder: coderOfPc(e.mainInputs[0]!),
            restrictionCoder: restrictionOfWire(reader.coder(payload.restrictionCoderId)),
            alwaysBatch: ctx.alwaysBatch,
          });
          break;
        }
        const sides = new Map<string, SideInputAccess>();
        for (const [tag, pc] of e.sideInputs) {
          const viewRef = decodeUserFnRef(payload.sideInputs[tag]?.viewFn?.payload, name);
          const view = reader.userFn(viewRef.id) as PCollectionView<unknown>;
          sides.set(tag.slice('side:'.length), sideCollector(pc).access(view.kind, tag.slice('side:'.length), view.defaultValue));
        }
        // Main-input elements wait in front of the DoFn until its side inputs are ready.
        const gated = (inner: Operator): Operator => {
          if (sides.size === 0) return inner;
          const input = e.mainInputs[0]!;
          return new SideInputGate(inner, { sideInputs: sides, elementCoder: coderOfPc(input), windowCoder: strategyOf(input).windowFn.windowCoder() as Coder<BoundedWindow> });
        };
        if (isStatefulPayload(payload)) {
          keyedInput = true;
          const input = e.mainInputs[0]!;
          op = gated(statefulParDo({
            name, payload, ref, reader, tagged, metrics: metricsFor(name),
            inputCoder: coderOfPc(input), inputName: pcollection(input).uniqueName ?? input, strategy: strategyOf(input),
            main: e.outputs.has('out') ? outputReceiver(e.outputs.get('out')!) : receiverFor([]),
            sideInputs: sides,
          }));
          break;
        }
        op = gated(new ParDoOperator({
          name,
          fn: reader.userFn(ref.id) as DoFn<unknown, unknown, Record<string, unknown>, Record<string, unknown>>,
          main: e.outputs.has('out') ? outputReceiver(e.outputs.get('out')!) : receiverFor([]),
          tagged,
          elementWise: ref.elementWise === true,
          maxConcurrency: typeof ref.maxConcurrency === 'number' ? ref.maxConcurrency : DEFAULT_MAX_CONCURRENCY,
          sideInputs: sides,
          metrics: metricsFor(name),
        }));
        break;
      }
      case URN.GROUP_BY_KEY:
      case URN.COMBINE_PER_KEY:
      case URN.COMBINE_GLOBALLY: {
        keyedInput = true;
        const input = e.mainInputs[0]!;
        const keyed = e.urn !== URN.COMBINE_GLOBALLY;
        let aggregation: Aggregation<unknown, unknown, unknown> = LIST_AGGREGATION as Aggregation<unknown, unknown, unknown>;
        let insertDefault = false;
        const inputCoder = coderOfPc(input);
        // Checkpoints write keys and accumulators with these (GroupByKey's accumulator is the
        // list of a key's values).
        let coders: GroupCoders | undefined;
        if (e.urn === URN.GROUP_BY_KEY) {
          const values = inputCoder.components[1];
          if (values) coders = { key: inputCoder.components[0], accumulator: Coders.iterable(values) as Coder<unknown>, values: true };
        } else {
          const payload = beam.CombinePayload.decode(e.transform.spec!.payload!);
          const ref = decodeUserFnRef(payload.combineFn?.payload, name);
          aggregation = combineAggregation(guardedCombineFn(reader.userFn(ref.id) as CombineFn<unknown, unknown, unknown>, name, metricsFor(name)));
          insertDefault = ref.insertDefault === true;
          if (payload.accumulatorCoderId) coders = { key: keyed ? inputCoder.components[0] : undefined, accumulator: reader.coder(payload.accumulatorCoderId) };
        }
        op = new GroupOperator({
          name,
          strategy: strategyOf(input),
          aggregation,
          groupingKey: keyed ? groupingKeyFn(inputCoder.components[0]!, pcollection(input).uniqueName ?? input) : undefined,
          output: outputReceiver(e.outputs.get('out') ?? e.outputs.get('main')!),
          late: e.outputs.has('late') ? outputReceiver(e.outputs.get('late')!) : undefined,
          metrics: metricsFor(name),
          defaultWhenEmpty: insertDefault,
          coders,
          arrivals: recordArrivals ? ctx.arrivals : undefined,
        });
        break;
      }
      case URN.FLATTEN:
        op = new FlattenOperator(name, mainOut());
        break;
      case URN.WINDOW_INTO: {
        // Consumers are built first (reverse topological order), side-input collectors included.
        const into = consumers.get(e.outputs.get('out')!) ?? [];
        const fused = into.length === 1 && into[0] instanceof GroupOperator;
        op = fused ? new FusedWindowInto(name, into[0] as GroupOperator) : new WindowIntoOperator(name, strategyOf(e.outputs.get('out')!), mainOut());
        if (fused) ctx.taps?.alias(e.outputs.get('out')!, e.mainInputs[0]!);
        break;
      }
      default:
        throw new UnsupportedFeatureError(e.urn, runnerName, `transform "${name}"`);
    }
    if (e.urn === URN.PAR_DO && ctx.checkpointing && beam.ParDoPayload.decode(e.transform.spec!.payload!).requiresStableInput) {
      const input = e.mainInputs[0]!;
      op = new StableInputOperator(op, new WindowedValueCoder(coderOfPc(input), strategyOf(input).windowFn.windowCoder() as Coder<BoundedWindow>));
    }
    if (keyedInput && ctx.bundles && changesBundles(ctx.bundles)) op = new RebundledOperator(op, ctx.bundles);
    const node: PlanNode = { id: e.id, op, upstream, root };
    built.set(e.id, node);
    for (const pc of [...e.mainInputs]) (consumers.get(pc) ?? consumers.set(pc, []).get(pc)!).push(op);
  }

  // Topological order, with each side-input collector right after the producer it reads.
  const nodes: PlanNode[] = [];
  for (const e of order) {
    nodes.push(built.get(e.id)!);
    for (const pc of e.outputs.values()) {
      const c = collectors.get(pc);
      if (c) nodes.push(c.node);
    }
  }
  return { nodes, metrics };
}

/** A root has no input; its source pushes straight into its consumers. */
function rootOperator(name: string): Operator {
  return {
    name,
    receive() {
      throw new InternalError(`root transform "${name}" was handed an element: a root has no input`);
    },
  };
}


/** A splittable read with an unbounded output: a live input (Kafka, LiveSource). */
function readsLive(e: Executable, reader: ProtoReader): boolean {
  if (e.urn !== URN.PAR_DO || !beam.ParDoPayload.decode(e.transform.spec!.payload!).restrictionCoderId) return false;
  return [...e.outputs.values()].some((pc) => reader.components.pcollections![pc]?.isBounded === beam.IsBounded.Enum.UNBOUNDED);
}

function collectExecutables(reader: ProtoReader, runnerName: string): Executable[] {
  const out: Executable[] = [];
  const visit = (id: string): void => {
    const t = reader.transform(id);
    const urn = t.spec?.urn ?? '';
    const subs = t.subtransforms ?? [];
    if (subs.length && !NATIVE_COMPOSITES.has(urn)) {
      subs.forEach(visit);
      return;
    }
    if (!urn) throw new UnsupportedFeatureError('(no URN)', runnerName, `transform "${t.uniqueName}" is a leaf without a spec`);
    const mainInputs: string[] = [];
    const sideInputs = new Map<string, string>();
    for (const [tag, pc] of Object.entries(t.inputs ?? {})) {
      if (tag.startsWith('side:')) sideInputs.set(tag, pc);
      else mainInputs.push(pc);
    }
    out.push({ id, transform: t, urn, mainInputs, sideInputs, outputs: new Map(Object.entries(t.outputs ?? {})) });
  };
  for (const id of reader.proto.rootTransformIds ?? []) visit(id);
  return out;
}

function topologicalOrder(executables: readonly Executable[], producer: ReadonlyMap<string, string>): Executable[] {
  const byId = new Map(executables.map((e) => [e.id, e]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: Executable[] = [];
  const visit = (e: Executable): void => {
    const s = state.get(e.id);
    if (s === 'done') return;
    if (s === 'visiting') throw new PlanError(e.transform.uniqueName ?? '', `the pipeline graph has a cycle through "${e.transform.uniqueName}"`);
    state.set(e.id, 'visiting');
    for (const pc of [...e.mainInputs, ...e.sideInputs.values()]) {
      const p = producer.get(pc);
      if (p === undefined) throw new PlanError(e.transform.uniqueName ?? '', `PCollection "${pc}" consumed by "${e.transform.uniqueName}" has no producer`);
      visit(byId.get(p)!);
    }
    state.set(e.id, 'done');
    order.push(e);
  };
  executables.forEach(visit);
  return order;
}
