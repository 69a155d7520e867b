/**
 * Rebuilds coders from the proto's `(urn, component coders, payload)`: every standard URN
 * Tributary implements, plus any registered with `registerCoder`.
 */
import type { Coder } from './coder.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import { CoderUrns } from './urns.js';
import { BoolCoder, BytesCoder, DoubleCoder, StringUtf8Coder, VarIntCoder } from './primitives.js';
import { KvCoder } from './kv.js';
import { IterableCoder } from './iterable.js';
import { NullableCoder } from './nullable.js';
import { LengthPrefixCoder } from './length-prefix.js';
import { GlobalWindowCoder, IntervalWindowCoder } from './windows.js';
import { ParamWindowedValueCoder, WindowedValueCoder } from './windowed-value.js';
import { TimerCoder } from './timer.js';
import { describeCoder } from './describe.js';
import { RowCoder } from './row.js';
import { JsonCoder } from './json.js';
import { CoderSpecError } from './errors.js';

export type CoderFactory = (components: readonly Coder<unknown>[], payload: Uint8Array | undefined) => Coder<unknown>;

interface Entry {
  readonly arity: number | undefined;
  readonly needsPayload: boolean;
  readonly factory: CoderFactory;
}

const registry = new Map<string, Entry>();

/**
 * Registers a coder URN for `coderFromSpec`. `arity` is the number of component coders the URN
 * takes (undefined: any); `needsPayload` says the spec must carry a payload.
 */
export function registerCoder(
  urn: string,
  factory: CoderFactory,
  options: { arity?: number; needsPayload?: boolean; replace?: boolean } = {},
): void {
  if (registry.has(urn) && !options.replace) {
    throw new CoderSpecError(urn, `coder URN "${urn}" is already registered`);
  }
  registry.set(urn, { arity: options.arity, needsPayload: options.needsPayload ?? false, factory });
}

/** The URNs `coderFromSpec` knows, sorted. */
export function knownCoderUrns(): string[] {
  return [...registry.keys()].sort();
}

/** Rebuilds a coder from its proto spec. Throws naming the URN if it is unknown or malformed. */
export function coderFromSpec(
  urn: string,
  components: readonly Coder<unknown>[] = [],
  payload?: Uint8Array,
): Coder<unknown> {
  const entry = registry.get(urn);
  if (!entry) {
    throw new CoderSpecError(urn, `unknown coder URN "${urn}": Tributary knows ${knownCoderUrns().join(', ')}`);
  }
  if (entry.arity !== undefined && components.length !== entry.arity) {
    const got = components.length === 0 ? 'none' : components.map(describeCoder).join(', ');
    throw new CoderSpecError(urn, `coder "${urn}" takes ${entry.arity} component coder(s), got ${components.length} (${got})`);
  }
  if (entry.needsPayload && (payload === undefined || payload.length === 0)) {
    throw new CoderSpecError(urn, `coder "${urn}" needs a payload, but its spec has none`);
  }
  return entry.factory(components, payload && payload.length > 0 ? payload : undefined);
}

const atomic = (c: Coder<unknown>): CoderFactory => () => c;
registerCoder(CoderUrns.BYTES, atomic(BytesCoder.INSTANCE), { arity: 0 });
registerCoder(CoderUrns.BOOL, atomic(BoolCoder.INSTANCE), { arity: 0 });
registerCoder(CoderUrns.STRING_UTF8, atomic(StringUtf8Coder.INSTANCE), { arity: 0 });
registerCoder(CoderUrns.VARINT, atomic(VarIntCoder.INSTANCE as Coder<unknown>), { arity: 0 });
registerCoder(CoderUrns.DOUBLE, atomic(DoubleCoder.INSTANCE as Coder<unknown>), { arity: 0 });
registerCoder(CoderUrns.GLOBAL_WINDOW, atomic(GlobalWindowCoder.INSTANCE as Coder<unknown>), { arity: 0 });
registerCoder(CoderUrns.INTERVAL_WINDOW, atomic(IntervalWindowCoder.INSTANCE as Coder<unknown>), { arity: 0 });
registerCoder(CoderUrns.KV, ([k, v]) => new KvCoder(k!, v!) as Coder<unknown>, { arity: 2 });
registerCoder(CoderUrns.ITERABLE, ([e]) => new IterableCoder(e!) as Coder<unknown>, { arity: 1 });
registerCoder(CoderUrns.NULLABLE, ([e]) => new NullableCoder(e!) as Coder<unknown>, { arity: 1 });
registerCoder(CoderUrns.LENGTH_PREFIX, ([e]) => new LengthPrefixCoder(e!), { arity: 1 });
registerCoder(
  CoderUrns.WINDOWED_VALUE,
  ([v, w]) => new WindowedValueCoder(v!, w as Coder<BoundedWindow>) as Coder<unknown>,
  { arity: 2 },
);
registerCoder(
  CoderUrns.PARAM_WINDOWED_VALUE,
  ([v, w], payload) => ParamWindowedValueCoder.fromPayload(v!, w as Coder<BoundedWindow>, payload!) as Coder<unknown>,
  { arity: 2, needsPayload: true },
);
registerCoder(CoderUrns.TIMER, ([k, w]) => new TimerCoder(k!, w as Coder<BoundedWindow>) as Coder<unknown>, {
  arity: 2,
});
registerCoder(CoderUrns.ROW, (_c, payload) => RowCoder.fromPayload(payload!) as Coder<unknown>, {
  arity: 0,
  needsPayload: true,
});
registerCoder(CoderUrns.JSON, atomic(JsonCoder.INSTANCE), { arity: 0 });
