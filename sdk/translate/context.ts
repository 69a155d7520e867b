/**
 * What translation to and from the portable proto needs besides the message itself: a place to
 * register coders (the proto refers to them by id) and a registry of user functions (the proto
 * refers to a DoFn, CombineFn or trigger predicate by a stable id; a worker that rebuilds the
 * same program finds the same function under the same id — nothing is serialized).
 */
import type { Coder } from '../coders/coder.js';

export interface ProtoWriteContext {
  /** Registers a coder (and its components) and returns its id in `Components.coders`. */
  coderId(coder: Coder<unknown>): string;
  /** Registers a user function under a stable id derived from `owner` (a transform's unique
   *  name) and `role` (e.g. "dofn", "combinefn", "trigger-predicate"); returns the id. */
  userFnId(owner: string, role: string, fn: unknown): string;
  /** Called for each `never` node of a trigger as it is written: null for a real Never, the
   *  predicate's reference for an element-predicate trigger (see sdk/trigger/proto.ts). Only a
   *  pipeline writer has it; a trigger with a predicate cannot be written without one. */
  triggerSlot?(slot: Record<string, unknown> | null): void;
}

export interface ProtoReadContext {
  /** The coder registered under `id` in the pipeline's components. */
  coder(id: string): Coder<unknown>;
  /** The user function registered under `id`; a clear error if this program has none. */
  userFn(id: string): unknown;
  /** The slot of the next `never` node of the trigger being read (null when there is none). */
  nextTriggerSlot?(): Record<string, unknown> | null;
}
