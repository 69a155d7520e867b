/**
 * Watching a running job, whatever runs it: a runner exposes a `MonitoredJob` (its graph, state,
 * metrics, per-PCollection counts and watermarks, checkpoints, errors, and data sampling), and
 * this module turns it into a Prometheus endpoint (`prometheus.ts`, with prom-client), a job page
 * with a live graph (`server.ts`, `page.ts`, `graph-layout.ts`), and terminal status lines.
 *
 * Imports `sdk/` and `portability-proto/` only, never a particular runner: the direct runner and
 * the portable runners both feed it.
 */
export * from './monitored-job.js';
export { ElementSampler, previewElement, type SampledElement } from './sampler.js';
export { prometheusRegistry } from './prometheus.js';
export { startMonitoring, type MonitoringOptions, type MonitoringServer } from './server.js';
export { layoutPipeline, type PipelineLayout } from './graph-layout.js';
