/** CombinePayload: the CombineFn reference and the accumulator coder. */
import { pipeline } from '../../portability-proto/index.js';
import { Coders, type Coder } from '../coders/index.js';
import type { CombineFn } from '../transforms/combine-fn.js';
import { URN } from '../urns.js';
import type { ProtoWriteContext } from './context.js';
import { encodeUserFnRef } from './user-fn-spec.js';

export function encodeCombinePayload(
  owner: string,
  fn: CombineFn<unknown, unknown, unknown>,
  ctx: ProtoWriteContext,
  extra: Record<string, unknown> = {},
): Uint8Array {
  const id = ctx.userFnId(owner, 'combinefn', fn);
  const accumulator = (fn.accumulatorCoder?.() ?? Coders.json()) as Coder<unknown>;
  return pipeline.CombinePayload.encode({
    combineFn: { urn: URN.COMBINE_FN, payload: encodeUserFnRef({ ...extra, id, class: fn.constructor?.name }) },
    accumulatorCoderId: ctx.coderId(accumulator),
  }).finish();
}
