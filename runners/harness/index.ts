/**
 * Tributary's SDK harness: the worker a Beam runner drives over the Fn API (Beam Go's
 * `core/runtime/harness`). One file per plane — `control.ts`, `data.ts`, `state.ts`,
 * `logging.ts` — plus the provision and artifact-retrieval calls made at start (`provision.ts`),
 * the boot (`harness.ts`), the external worker pool and loopback mode (`worker-pool.ts`), and the
 * translation of process-bundle descriptors into plans of units (`plan/`), which run user code
 * through the shared execution layer (`runners/exec/`). May import `sdk/`, `portability-proto/`,
 * `runners/exec/`, `runners/grpc/` and `runners/worker/` (the graph check).
 */
export { startHarness, type HarnessOptions, type RunningHarness } from './harness.js';
export { startWorkerPool, startLoopbackPool, type WorkerPool, type WorkerPoolOptions } from './worker-pool.js';
export { ARTIFACT_NAMES, OPTIONS_KEY, STAGING_TO_ROLE, optionsFromStruct, optionsToStruct } from './staging.js';
export { HarnessStartError, UnsupportedByHarnessError } from './errors.js';
