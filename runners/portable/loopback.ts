/**
 * Loopback: the submitting process serves the workers (a Beam worker pool on a loopback port
 * whose workers run this process's user functions — no bundle, no staging of code). The pool
 * itself is the harness's (`runners/harness/`); it registers here when its module is imported,
 * so the portable runner does not import the harness and the harness does not import the runner.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';

export interface LoopbackPool {
  /** The worker pool's address, for `beam:env:external:v1`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts an in-process worker pool for one job: `userFns` are this program's functions by id. */
export type LoopbackPoolFactory = (job: { proto: beam.IPipeline; userFns: ReadonlyMap<string, unknown> }) => Promise<LoopbackPool>;

let factory: LoopbackPoolFactory | undefined;

export function registerLoopbackPool(f: LoopbackPoolFactory): void {
  factory = f;
}

export function loopbackPoolFactory(): LoopbackPoolFactory | undefined {
  return factory;
}
