/**
 * Window fns to and from a `FunctionSpec`, with Beam's standard URNs and payloads:
 *
 * - `beam:window_fn:global_windows:v1` (empty payload)
 * - `beam:window_fn:fixed_windows:v1` (FixedWindowsPayload: size, offset)
 * - `beam:window_fn:sliding_windows:v1` (SlidingWindowsPayload: size, offset, period)
 * - `beam:window_fn:session_windows:v1` (SessionWindowsPayload: gap_size)
 * - `tributary:window_fn:custom:v1` — a custom fn: the payload is the user-function reference
 *   (JSON `{"id": ...}`) from `ProtoWriteContext.userFnId("WindowFn:<name>", "window-fn", fn)`;
 *   a re-run program that builds the same pipeline registers the same fn under the same id.
 */
import { pipeline, protobuf } from '../../portability-proto/index.js';
import { PipelineConstructionError } from '../errors.js';
import type { Duration } from '../time/instant.js';
import type { ProtoReadContext, ProtoWriteContext } from '../translate/context.js';
import { decodeUserFnRef, encodeUserFnRef } from '../translate/user-fn-spec.js';
import type { BoundedWindow } from './bounded-window.js';
import { FixedWindows } from './fixed.js';
import { GlobalWindows } from './global.js';
import { Sessions } from './sessions.js';
import { SlidingWindows } from './sliding.js';
import { WindowFn } from './window-fn.js';

export const WINDOW_FN_URN = {
  GLOBAL: 'beam:window_fn:global_windows:v1',
  FIXED: 'beam:window_fn:fixed_windows:v1',
  SLIDING: 'beam:window_fn:sliding_windows:v1',
  SESSIONS: 'beam:window_fn:session_windows:v1',
  CUSTOM: 'tributary:window_fn:custom:v1',
} as const;

function duration(ms: number): protobuf.IDuration {
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

function toMillis(d: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!d) return 0;
  const s = d.seconds;
  const secs =
    typeof s === 'number' ? s : s && typeof (s as { toNumber?: unknown }).toNumber === 'function' ? (s as { toNumber(): number }).toNumber() : Number(s ?? 0);
  return secs * 1000 + Math.trunc((d.nanos ?? 0) / 1_000_000);
}

export function windowFnToProto(fn: WindowFn<BoundedWindow>, ctx: ProtoWriteContext): pipeline.IFunctionSpec {
  if (fn instanceof GlobalWindows) return { urn: WINDOW_FN_URN.GLOBAL, payload: new Uint8Array() };
  if (fn instanceof FixedWindows) {
    return {
      urn: WINDOW_FN_URN.FIXED,
      payload: pipeline.FixedWindowsPayload.encode({ size: duration(fn.size), offset: duration(fn.offset) }).finish(),
    };
  }
  if (fn instanceof SlidingWindows) {
    return {
      urn: WINDOW_FN_URN.SLIDING,
      payload: pipeline.SlidingWindowsPayload.encode({
        size: duration(fn.size),
        offset: duration(fn.offset),
        period: duration(fn.period),
      }).finish(),
    };
  }
  if (fn instanceof Sessions) {
    return {
      urn: WINDOW_FN_URN.SESSIONS,
      payload: pipeline.SessionWindowsPayload.encode({ gapSize: duration(fn.gap) }).finish(),
    };
  }
  const name = (fn as { name?: unknown }).name;
  if (typeof name !== 'string' || !name) {
    throw new PipelineConstructionError(
      `custom window fn ${fn} has no "name": give it a unique, stable name so a worker re-running the program finds it`,
    );
  }
  const id = ctx.userFnId(`WindowFn:${name}`, 'window-fn', fn);
  return { urn: WINDOW_FN_URN.CUSTOM, payload: encodeUserFnRef({ id, kind: 'window-fn', name }) };
}

export function windowFnFromProto(spec: pipeline.IFunctionSpec | null | undefined, ctx: ProtoReadContext): WindowFn<BoundedWindow> {
  const payload = spec?.payload ?? new Uint8Array();
  switch (spec?.urn) {
    case undefined:
    case '':
    case WINDOW_FN_URN.GLOBAL:
      return GlobalWindows.INSTANCE;
    case WINDOW_FN_URN.FIXED: {
      const p = pipeline.FixedWindowsPayload.decode(payload);
      return FixedWindows.of(toMillis(p.size) as Duration).withOffset(toMillis(p.offset) as Duration);
    }
    case WINDOW_FN_URN.SLIDING: {
      const p = pipeline.SlidingWindowsPayload.decode(payload);
      return SlidingWindows.of(toMillis(p.size) as Duration)
        .every(toMillis(p.period) as Duration)
        .withOffset(toMillis(p.offset) as Duration);
    }
    case WINDOW_FN_URN.SESSIONS: {
      const p = pipeline.SessionWindowsPayload.decode(payload);
      return Sessions.withGapDuration(toMillis(p.gapSize) as Duration);
    }
    case WINDOW_FN_URN.CUSTOM: {
      const ref = decodeUserFnRef(payload, 'a custom window fn');
      const fn = ctx.userFn(ref.id);
      if (!(fn instanceof WindowFn)) {
        throw new PipelineConstructionError(`user function "${ref.id}" is not a WindowFn`);
      }
      return fn;
    }
    default:
      throw new PipelineConstructionError(
        `unknown window fn URN "${spec?.urn}": Tributary runs ${Object.values(WINDOW_FN_URN).join(', ')}`,
      );
  }
}
