/** Worker mode: re-run the user's program, check its graph against a submitted proto, execute it. */
export { runWorker, verifySameGraph, workerReport, WorkerJobError, WorkerSetupError, type WorkerOptions, type WorkerResult } from './worker.js';
export { firstDifference } from './graph-diff.js';
export { loadPipelineFile, buildPipelineFile, PipelineFileError, type LoadedPipelineFile, type BuiltPipeline } from './pipeline-file.js';
