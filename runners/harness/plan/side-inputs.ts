/**
 * Side inputs under a portable runner: the runner holds the side input's values, the harness
 * reads them over the state plane for each window a main-input element is in — an iterable side
 * input as one list, a multimap one as its keys and then each key's values — and builds the view
 * user code sees with the same code as the direct runner (`exec/side-input-views.ts`).
 *
 * A `SideInputPrefetch` unit sits in front of the ParDo: it fetches (or finds in the cache) every
 * side input of the element's windows before the element reaches the ParDo, so the ParDo reads
 * them synchronously, as it does on the direct runner.
 */
import { fnExecution as fn } from '../../../portability-proto/index.js';
import { ByteReader, ByteWriter, type Coder } from '../../../sdk/coders/index.js';
import type { PCollectionView } from '../../../sdk/transforms/side-inputs.js';
import { kv } from '../../../sdk/values/kv.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GlobalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { buildView, type SideInputAccess } from '../../exec/side-input-views.js';
import type { Delivery, Receiver } from '../../exec/unit.js';
import { stateKeyId } from '../state.js';
import type { BundleContext, HarnessUnit } from './context.js';
import { InternalError } from '../../../sdk/errors.js';
import { PlanError, SideInputError } from '../../exec/errors.js';

export interface SideInputSpec {
  /** The local name in the ParDo's inputs (`side:rates`). */
  readonly localName: string;
  /** The name user code reads it by (`rates`). */
  readonly name: string;
  readonly view: PCollectionView<unknown>;
  readonly multimap: boolean;
  /** The side input PCollection's element coder (a KV coder for multimap access). */
  readonly coder: Coder<unknown>;
  readonly strategy: WindowingStrategy;
}

/** One side input's views for the current bundle, by main-input window. */
class SideInputView implements SideInputAccess {
  readonly byMainWindow = new Map<string, unknown>();
  isReady(): boolean {
    return true;
  }
  get(mainWindow: BoundedWindow): unknown {
    if (!this.byMainWindow.has(mainWindow.id)) throw new InternalError(`side input view for window ${String(mainWindow)} was not fetched`);
    return this.byMainWindow.get(mainWindow.id);
  }
}

export class SideInputPrefetch implements HarnessUnit {
  readonly views: ReadonlyMap<string, SideInputView>;
  private bundle!: BundleContext;

  constructor(
    readonly name: string,
    private readonly transformId: string,
    private readonly specs: readonly SideInputSpec[],
    private readonly next: Receiver,
  ) {
    this.views = new Map(specs.map((s) => [s.name, new SideInputView()]));
  }

  /** The accesses the ParDo unit is built with. */
  accesses(): ReadonlyMap<string, SideInputAccess> {
    return this.views;
  }

  start(bundle: BundleContext): void {
    this.bundle = bundle;
    for (const v of this.views.values()) v.byMainWindow.clear();
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    let missing: Promise<void>[] | undefined;
    for (const spec of this.specs) {
      const view = this.views.get(spec.name)!;
      for (const w of wv.windows) {
        if (!view.byMainWindow.has(w.id)) (missing ??= []).push(this.fetch(spec, w).then((v) => void view.byMainWindow.set(w.id, v)));
      }
    }
    if (!missing) return this.next.receive(wv);
    return Promise.all(missing).then(() => this.next.receive(wv));
  }

  private async fetch(spec: SideInputSpec, mainWindow: BoundedWindow): Promise<unknown> {
    const state = this.bundle.state;
    if (!state) throw new PlanError(this.name, `ParDo "${this.name}" reads side input "${spec.name}", but the runner gave no state endpoint`);
    const window = sideWindow(spec.strategy, mainWindow);
    const windowBytes = encode(spec.strategy.windowFn.windowCoder() as Coder<unknown>, window);
    const token = this.bundle.sideInputToken(this.transformId, spec.localName);
    const read = async (key: fn.IStateKey): Promise<Uint8Array> => {
      const id = stateKeyId(key);
      const cached = this.bundle.cache.get(token, id);
      if (cached) return cached;
      const bytes = await state.get(this.bundle.instructionId, key);
      this.bundle.cache.put(token, id, bytes);
      return bytes;
    };
    const ids = { transformId: this.transformId, sideInputId: spec.localName, window: windowBytes };
    let values: unknown[];
    if (!spec.multimap) {
      values = decodeAll(spec.coder, await read({ iterableSideInput: ids }));
    } else {
      const [keyCoder, valueCoder] = spec.coder.components;
      if (!keyCoder || !valueCoder) throw new SideInputError(spec.name, `side input "${spec.name}" of "${this.name}" has multimap access but its coder ${spec.coder.urn} is not a KV coder`);
      const keyBytes = await read({ multimapKeysSideInput: ids });
      values = [];
      const reader = new ByteReader(keyBytes);
      while (!reader.atEnd()) {
        const start = reader.position;
        const key = keyCoder.decode(reader, true);
        const encodedKey = keyBytes.slice(start, reader.position);
        for (const v of decodeAll(valueCoder, await read({ multimapSideInput: { ...ids, key: encodedKey } }))) values.push(kv(key, v));
      }
    }
    // Re-fired by a trigger: the values are every pane's so far, in arrival order (the submission
    // reads such a side input from accumulating panes, runners/portable/triggered-side-inputs.ts),
    // and a singleton or map view is the latest value, as on the direct runner.
    return buildView(spec.view.kind, values, spec.name, spec.view.defaultValue, !spec.strategy.isDefaultTrigger());
  }
}

/** Beam's default window mapping: the side input's window that holds the end of the main one. */
function sideWindow(strategy: WindowingStrategy, mainWindow: BoundedWindow): BoundedWindow {
  if (strategy.isGlobal()) return GlobalWindow.INSTANCE;
  return strategy.windowFn.assignWindows(mainWindow.maxTimestamp(), undefined)[0] ?? mainWindow;
}

function encode(coder: Coder<unknown>, value: unknown): Uint8Array {
  const out = new ByteWriter();
  coder.encode(value, out, false);
  return out.finish();
}

/** The runner's iterable encoding: the elements one after another, each nested. */
export function decodeAll(coder: Coder<unknown>, bytes: Uint8Array): unknown[] {
  const out: unknown[] = [];
  const reader = new ByteReader(bytes);
  while (!reader.atEnd()) out.push(coder.decode(reader, true));
  return out;
}
