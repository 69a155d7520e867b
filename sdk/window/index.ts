/**
 * Windowing: window fns (global, fixed, sliding, sessions, custom), the windowing strategy and
 * the options of `Window.into`, and their translation to Beam's proto.
 * May import: `sdk/time`, `sdk/coders`, `sdk/trigger`, `sdk/translate` (contexts), `portability-proto`.
 */
export { GlobalWindow, IntervalWindow, GLOBAL_WINDOWS, GLOBAL_WINDOW_MAX, type BoundedWindow } from './bounded-window.js';
export {
  WindowFn,
  MergingWindowFn,
  mergeOverlappingIntervals,
  customWindowFn,
  floorMod,
  type WindowMerge,
} from './window-fn.js';
export { GlobalWindows } from './global.js';
export { FixedWindows } from './fixed.js';
export { SlidingWindows } from './sliding.js';
export { Sessions } from './sessions.js';
export {
  WindowingStrategy,
  WindowOptions,
  windowingStrategyToProto,
  windowingStrategyFromProto,
  type AccumulationMode,
  type TimestampCombiner,
  type OnTimeBehavior,
  type ClosingBehavior,
  type WindowingStrategyProps,
} from './windowing-strategy.js';
export { windowFnToProto, windowFnFromProto, WINDOW_FN_URN } from './window-fn-proto.js';
