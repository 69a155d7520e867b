/** Kappa+ replay: warehouse partitions replayed in order and in lockstep, with event-time watermarks. */
export { KappaReplay, type ReplayOutputs } from './replay.js';
export { KappaReplayFn, KappaReplayError } from './replay-fn.js';
export { NoPartitionsError } from './errors.js';
export { RowPacer } from './clock.js';
export type { KappaTable, KappaReplayOptions, Throttle, ReplayTraceEvent, ReplayProgress, SourceProgress } from './options.js';
export { VirtualClock, systemClock, type ReplayClock } from './clock.js';
export { planSteps, ReplayPlanError, type Step } from './steps.js';
export { ReplayPosition, type ReplayClaim } from './position.js';
export { LiveSource, LiveSourceFn, type LiveSourceOptions, type LiveFeed, type LiveHeartbeat } from './live.js';
export { ProgressReporter, renderProgressBar, progressLogLine, type ProgressReporterOptions } from './progress.js';
