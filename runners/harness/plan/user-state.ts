/**
 * Bag user state on the runner, as the harness's stateful units keep it: one element per state
 * cell (the cell's bytes), read through the bundle's cache (the runner's user-state cache token)
 * and written back whole (clear, then append).
 */
import type { fnExecution as fn } from '../../../portability-proto/index.js';
import { ByteWriter, type Coder } from '../../../sdk/coders/index.js';
import { stateKeyId } from '../state.js';
import type { BundleContext } from './context.js';
import { PlanError } from '../../exec/errors.js';

export function bagUserStateKey(transformId: string, stateId: string, key: Uint8Array, window: Uint8Array): fn.IStateKey {
  return { bagUserState: { transformId, userStateId: stateId, window, key } };
}

/** The bytes of a state cell (empty: none), from the cache when this bundle may use it. */
export async function readUserState(bundle: BundleContext, owner: string, key: fn.IStateKey): Promise<Uint8Array> {
  const state = bundle.state;
  if (!state) throw new PlanError(owner, `"${owner}" has state, but the runner gave no state endpoint`);
  const kid = stateKeyId(key);
  const cached = bundle.cache.get(bundle.userStateToken, kid);
  if (cached) return cached;
  const bytes = await state.get(bundle.instructionId, key);
  bundle.cache.put(bundle.userStateToken, kid, bytes);
  return bytes;
}

/**
 * Replaces a state cell with `bytes` (empty: cleared). The clear and the append go out back to
 * back, without waiting for the clear's answer in between: requests of one state stream reach
 * the runner in the order they were written, and the runner applies them in that order (Beam's
 * own SDKs send a bag's clear and append the same way). Waiting cost a state round trip per
 * written cell — on Flink with one element per bundle, a round trip per element.
 */
export async function writeUserState(bundle: BundleContext, key: fn.IStateKey, bytes: Uint8Array): Promise<void> {
  const state = bundle.state;
  if (!state) return;
  bundle.cache.put(bundle.userStateToken, stateKeyId(key), bytes);
  const cleared = state.clear(bundle.instructionId, key);
  if (bytes.length > 0) await Promise.all([cleared, state.append(bundle.instructionId, key, bytes)]);
  else await cleared;
}

/** `value` as `coder` writes it: a state key's key or window, a cell's bytes. */
export function encoded(coder: Coder<unknown>, value: unknown, nested: boolean): Uint8Array {
  const out = new ByteWriter();
  coder.encode(value, out, nested);
  return out.finish();
}

/** Whether a cell's bytes are unchanged (then nothing is written back). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
