/**
 * The execution layer: the code that calls user code, shared by the direct runner and the SDK
 * harness (Beam Go keeps the same split, `core/runtime/exec` beside `core/runtime/harness`).
 * Units (`unit.ts`) take windowed values and deliver to receivers; they know no gRPC and no
 * executor. Here: DoFn lifecycle (`lifecycle.ts`), output contexts and the output router (tagged
 * outputs, Beam's output-timestamp rule), the metrics scope, the stateless, stateful and
 * splittable ParDo units, state accessors and timer views (`state/`), side-input views,
 * Window.into assignment, Flatten, the lifted Combine phases, and the windowing engine
 * (`windowing/`: group-also-by-window, triggers, holds), which the harness runs too for groupings
 * a Beam runner cannot run. Watermarks and the grouping operator are a runner's: they stay in
 * `runners/direct/`.
 * May import `sdk/` and `portability-proto/` only.
 */
export * from './unit.js';
export { ParDoOperator, type ParDoConfig } from './pardo.js';
export { StatefulParDoOperator, type StatefulParDoConfig } from './stateful-pardo.js';
export { SplittableParDoOperator, type SplittableConfig } from './splittable.js';
export type { SplittableScheduler } from './splittable-scheduler.js';
export { FlattenOperator } from './flatten.js';
export { WindowIntoOperator } from './window-into.js';
export { OutputRouter } from './output-router.js';
export { buildView, type SideInputAccess } from './side-input-views.js';
