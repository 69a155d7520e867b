/**
 * Tributary's public model: what a pipeline author imports. It never imports a runner or a
 * connector (runners live in `runners/`, connectors in `io/`); a runner executes the portable
 * proto this model translates to.
 */
export { Pipeline, type PipelineOptions } from './graph/pipeline.js';
export { PCollection, PBegin, PDone } from './graph/pcollection.js';
export { PCollectionList, KeyedPCollectionTuple } from './graph/collections.js';
export { PTransform, transform, type ExpandContext } from './graph/ptransform.js';

export { DoFn, isBatchedDoFn, type BatchedDoFn, type ProcessContext, type FinishBundleContext, type ProcessResult } from './transforms/dofn.js';
export {
  SplittableDoFn,
  isSplittable,
  ProcessContinuation,
  OffsetRangeTracker,
  OffsetRangeDoFn,
  offsetRangeProblem,
  RestrictionClaimError,
  type OffsetRange,
  type RestrictionTracker,
  type ManualWatermarkEstimator,
  type SplittableProcessContext,
  type BatchOutput,
} from './transforms/splittable.js';
export { inputIdentityOf, type IdentifiesInput } from './transforms/input-identity.js';
export {
  StatefulDoFn,
  StateSpecs,
  TimerSpecs,
  StateSpec,
  TimerSpec,
  type StatefulProcessContext,
  type OnTimerContext,
  type OnWindowExpirationContext,
  type StateDeclarations,
  type TimerDeclarations,
  type FiredTimer,
  type TimeDomain,
  type Timer,
  type TimerFamily,
  type ValueState,
  type BagState,
  type CombiningState,
  type MapState,
  type SetState,
  type OrderedListState,
} from './state/index.js';
export { ParDo, ParDoWithOutputs, type TaggedOutputs, type ParDoOptions } from './transforms/pardo.js';
export { View, PCollectionView } from './transforms/side-inputs.js';
export { Create, type TimestampedValue } from './transforms/create.js';
export { Impulse } from './transforms/impulse.js';
export { PeriodicImpulse, type PeriodicImpulseOptions, type ImpulseClock } from './transforms/periodic-impulse.js';
export { Map, FlatMap, Filter, WithKeys, WithTimestamps, Keys, Values, KvSwap } from './transforms/element-wise.js';
export { GroupByKey, GroupByKeyWithLateData, type WithLateData } from './transforms/group-by-key.js';
export { CoGroupByKey, type CoGbkResult } from './transforms/co-group-by-key.js';
export { Combine, CombinePerKey, CombinePerKeyWithLateData, CombineGlobally, CombineGroupedValues } from './transforms/combine.js';
export { binaryCombineFn, addsRows, type CombineFn, type RowCombineFn } from './transforms/combine-fn.js';
export { rowOf, rowMaker, rowsOf, isKeyedBatch, type RowsAt, type ColumnBatch, type KeyedColumnBatch, type ColumnsOf, type BatchOf } from './values/column-batch.js';
export { Count, Sum, Mean, Min, Max, Top, ToList, Sample, Distinct } from './transforms/combiners.js';
export { AsyncIO, type AsyncIOOptions, type AsyncFailure, type AsyncResults, type AsyncCall } from './transforms/async-io.js';
export { systemAsyncClock, type AsyncClock, type Attempt, type RetryPolicy } from './transforms/async-call.js';
export { ApproximateCountDistinct, approximateCountDistinctFn, type ApproximateCountDistinctOptions } from './transforms/approximate-count-distinct.js';
export { Flatten } from './transforms/flatten.js';
export { Partition } from './transforms/partition.js';
export { Reshuffle } from './transforms/reshuffle.js';

export { kv, type KV } from './values/kv.js';
export type { WindowedValue } from './values/windowed-value.js';
export type { PaneInfo, PaneTiming } from './values/pane.js';
export { Instant, Duration } from './time/instant.js';
export {
  GlobalWindow,
  IntervalWindow,
  GlobalWindows,
  FixedWindows,
  SlidingWindows,
  Sessions,
  WindowFn,
  MergingWindowFn,
  customWindowFn,
  WindowingStrategy,
  type BoundedWindow,
  type AccumulationMode,
  type TimestampCombiner,
  type OnTimeBehavior,
  type ClosingBehavior,
} from './window/index.js';
export * from './trigger/index.js';
export { Window } from './transforms/window.js';

export { Coders, type Coder } from './coders/index.js';
export { Metrics, Counter, Distribution, Gauge } from './metrics/metrics.js';
export { MetricResults } from './metrics/container.js';
export type { PipelineResult, PipelineRunner, PipelineState } from './runner-api.js';
export * from './errors.js';
export { URN } from './urns.js';
export { toPortable, encodePipeline, pcollectionId, type PortablePipeline } from './translate/to-proto.js';
export { pipelineFromProto } from './translate/from-proto.js';
