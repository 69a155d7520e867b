/**
 * Builds the stateful ParDo operator from a ParDoPayload: the state cells from `state_specs`
 * (kinds, key coders, CombineFns by id), the timers from `timer_family_specs`, the expiry
 * callback from `on_window_expiration_timer_family_spec`, and the TTL from the DoFn reference.
 */
import { pipeline as beam } from '../../../portability-proto/index.js';
import type { Coder } from '../../../sdk/coders/index.js';
import type { MetricsContainer } from '../../../sdk/metrics/container.js';
import type { StatefulDoFn, TimeDomain } from '../../../sdk/state/index.js';
import { ON_WINDOW_EXPIRATION_FAMILY, STATE_TTL_DUE_STATE, STATE_TTL_FAMILY } from '../../../sdk/state/urns.js';
import type { CombineFn } from '../../../sdk/transforms/combine-fn.js';
import type { ProtoReader } from '../../../sdk/translate/from-proto.js';
import { decodeUserFnRef, type UserFnRef } from '../../../sdk/translate/user-fn-spec.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { groupingKeyFn } from '../grouping-key.js';
import type { Receiver } from '../unit.js';
import { StatefulParDoOperator, type StatefulParDoConfig } from '../stateful-pardo.js';
import { cellFactory, type CellSpec } from './cells.js';
import { cellCodec } from './cell-codecs.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { PlanError } from '../errors.js';
import type { SideInputAccess } from '../side-input-views.js';

export interface StatefulParDoArgs {
  readonly name: string;
  readonly payload: beam.ParDoPayload;
  readonly ref: UserFnRef;
  readonly reader: ProtoReader;
  /** The main input's coder (a KV coder) and windowing. */
  readonly inputCoder: Coder<unknown>;
  readonly inputName: string;
  readonly strategy: WindowingStrategy;
  readonly main: Receiver;
  readonly tagged: ReadonlyMap<string, Receiver>;
  readonly metrics: MetricsContainer;
  /** Side inputs `process` may read (the runner waits until they are ready). */
  readonly sideInputs?: ReadonlyMap<string, SideInputAccess>;
}

export function isStatefulPayload(payload: beam.IParDoPayload): boolean {
  return Object.keys(payload.stateSpecs ?? {}).length > 0 || Object.keys(payload.timerFamilySpecs ?? {}).length > 0;
}

/** What a stateful ParDo's payload declares, read once for whichever unit runs it. */
export interface StatefulDecl {
  readonly fn: StatefulParDoConfig['fn'];
  readonly keyCoder: Coder<unknown>;
  readonly windowCoder: Coder<BoundedWindow>;
  readonly states: StatefulParDoConfig['states'];
  readonly timers: StatefulParDoConfig['timers'];
  /** The timer family fired at a window's expiry ('' when the DoFn has none). */
  readonly expiryFamily: string;
  /** Whether the runner fires it by itself (the payload names it in
   *  `on_window_expiration_timer_family_spec`, as Beam's model asks and Prism does). When the
   *  family is only declared, a portable harness sets the timer itself: the flink runner submits
   *  it so, since Beam's Flink runner never notifies that family. */
  readonly expiryNotified: boolean;
  readonly allowedLateness: number;
  /** Milliseconds; a portable runner serves it through the STATE_TTL_FAMILY timers and the
   *  STATE_TTL_DUE_STATE state the payload declares (the direct runner keeps it itself). */
  readonly stateTtl: number | undefined;
}

export function statefulDecl(a: Omit<StatefulParDoArgs, 'main' | 'tagged' | 'metrics'>): StatefulDecl {
  const fn = a.reader.userFn(a.ref.id) as StatefulParDoConfig['fn'];
  const keyCoder = a.inputCoder.components[0];
  if (a.inputCoder.urn !== 'beam:coder:kv:v1' || !keyCoder) {
    throw new PlanError(a.name, `stateful ParDo "${a.name}" needs key/value input, but "${a.inputName}" has coder ${a.inputCoder.urn}`);
  }
  const states = Object.keys(a.payload.stateSpecs)
    .filter((name) => name !== STATE_TTL_DUE_STATE)
    .sort()
    .map((name) => {
      const spec = cellSpec(a, name, a.payload.stateSpecs[name]!);
      const what = `state "${name}" of "${a.name}"`;
      return { name, create: cellFactory(spec, what), codec: cellCodec(spec, what) };
    });
  const named = a.payload.onWindowExpirationTimerFamilySpec;
  const expiry = named || (a.payload.timerFamilySpecs[ON_WINDOW_EXPIRATION_FAMILY] ? ON_WINDOW_EXPIRATION_FAMILY : '');
  const declared = (fn as StatefulDoFn<unknown, unknown, unknown>).timerDeclarations as Record<string, { family: boolean } | undefined>;
  const timers = Object.keys(a.payload.timerFamilySpecs)
    .filter((name) => name !== expiry && name !== STATE_TTL_FAMILY)
    .sort()
    .map((name) => ({
      name,
      domain: (a.payload.timerFamilySpecs[name]!.timeDomain === beam.TimeDomain.Enum.PROCESSING_TIME ? 'PROCESSING_TIME' : 'EVENT_TIME') as TimeDomain,
      family: declared?.[name]?.family ?? true,
    }));
  return {
    fn,
    keyCoder,
    windowCoder: a.strategy.windowFn.windowCoder() as Coder<BoundedWindow>,
    states,
    timers,
    expiryFamily: expiry,
    expiryNotified: named !== '',
    allowedLateness: a.strategy.allowedLateness,
    stateTtl: typeof a.ref.stateTimeToLiveMs === 'number' ? a.ref.stateTimeToLiveMs : undefined,
  };
}

export function statefulParDo(a: StatefulParDoArgs): StatefulParDoOperator {
  const d = statefulDecl(a);
  return new StatefulParDoOperator({
    name: a.name,
    fn: d.fn,
    main: a.main,
    tagged: a.tagged,
    metrics: a.metrics,
    keyOf: groupingKeyFn(d.keyCoder, a.inputName),
    keyCoder: d.keyCoder,
    windowCoder: d.windowCoder,
    states: d.states,
    timers: d.timers,
    onWindowExpiration: d.expiryFamily !== '',
    allowedLateness: d.allowedLateness,
    stateTtl: d.stateTtl,
    sideInputs: a.sideInputs,
  });
}

function cellSpec(a: Omit<StatefulParDoArgs, 'main' | 'tagged' | 'metrics'>, name: string, spec: beam.IStateSpec): CellSpec {
  // Coders a spec does not name are left out: such state works, but cannot be checkpointed.
  const coders = (...ids: (string | null | undefined)[]) => (ids.every((id) => id) ? ids.map((id) => a.reader.coder(id!)) : []);
  if (spec.readModifyWriteSpec) return { kind: 'value', coders: coders(spec.readModifyWriteSpec.coderId) };
  if (spec.bagSpec) return { kind: 'bag', coders: coders(spec.bagSpec.elementCoderId) };
  if (spec.orderedListSpec) return { kind: 'orderedList', coders: coders(spec.orderedListSpec.elementCoderId) };
  if (spec.setSpec) return { kind: 'set', keyCoder: a.reader.coder(spec.setSpec.elementCoderId ?? ''), coders: coders(spec.setSpec.elementCoderId) };
  if (spec.mapSpec) return { kind: 'map', keyCoder: a.reader.coder(spec.mapSpec.keyCoderId ?? ''), coders: coders(spec.mapSpec.keyCoderId, spec.mapSpec.valueCoderId) };
  if (spec.combiningSpec) {
    const ref = decodeUserFnRef(spec.combiningSpec.combineFn?.payload, `state "${name}" of "${a.name}"`);
    return { kind: 'combining', combineFn: a.reader.userFn(ref.id) as CombineFn<unknown, unknown, unknown>, coders: coders(spec.combiningSpec.accumulatorCoderId) };
  }
  throw new PlanError(a.name, `stateful ParDo "${a.name}": state "${name}" has a spec this runner does not know (multimap state is not supported)`);
}
