/**
 * What a unit of a bundle plan sees of the bundle it runs in: its instruction id, where outputs
 * and timers go (the data plane), the state plane with this bundle's cache tokens, and where
 * work handed back to the runner (residuals) is collected.
 */
import type { fnExecution as fn } from '../../../portability-proto/index.js';
import type { Delivery, Operator } from '../../exec/unit.js';
import type { DataChannel } from '../data.js';
import type { HarnessLogger } from '../logging.js';
import type { StateCache, StateChannel } from '../state.js';

export interface BundleContext {
  readonly instructionId: string;
  readonly data: DataChannel;
  /** Absent when the descriptor names no state endpoint (no side inputs, no user state). */
  readonly state: StateChannel | undefined;
  readonly cache: StateCache;
  /** The runner's cache tokens for this bundle: user state, and per side input. */
  readonly userStateToken: string | undefined;
  sideInputToken(transformId: string, sideInputId: string): string | undefined;
  /** Work this bundle hands back to the runner (splittable self-checkpoints). */
  readonly residuals: fn.IDelayedBundleApplication[];
  readonly logger: HarnessLogger;
}

/** A unit of a harness plan: an exec unit, plus what it does at the edges of a bundle. */
export interface HarnessUnit extends Operator {
  /** Before the bundle's first element: bind to the bundle. */
  start?(bundle: BundleContext): void;
  /** After every input's last element, upstream units first: finish the bundle. */
  finishBundle?(): Delivery;
}
