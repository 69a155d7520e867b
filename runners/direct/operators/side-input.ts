/**
 * Materializes a PCollection read as a side input: its elements per window, and the view
 * (singleton, iterable, list, map, multimap) a main-input element reads.
 *
 * When a side window is ready, as in Beam:
 * - under the default trigger, once the side input's watermark has passed the window's end (a
 *   global-window side input of a bounded input: at the end of that input);
 * - under any other trigger (Beam's slowly-updating side input: a stream of values windowed into
 *   the global window and re-fired, e.g. `Repeatedly.forever(AfterCount.of(1))`), also as soon as
 *   the window holds an element: the main input waits only for the first value, then each of its
 *   elements reads what has arrived so far, in processing order. A singleton view is then the
 *   latest element, a map view the latest value of each key; iterable, list and multimap views
 *   hold every element received (fire discarding panes to have each value once).
 *
 * The elements are part of the job's checkpoint: a resumed job reads the side input as it was.
 */
import type { Coder } from '../../../sdk/coders/index.js';
import type { ViewKind } from '../../../sdk/transforms/side-inputs.js';
import type { Instant } from '../../../sdk/time/instant.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GlobalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { buildView, type SideInputAccess } from '../../exec/side-input-views.js';
import { ByteWriter, CheckpointError, readValue, snapshotReader, writeValue, type SnapshotBytes } from '../../exec/snapshot-bytes.js';
import type { Delivery, Operator } from '../../exec/unit.js';

const FORMAT = 'tributary.side-input.v1';

interface SideWindow {
  readonly window: BoundedWindow;
  values: unknown[];
  /** Bumped at each element: views built before are stale. */
  version: number;
}

export class SideInputCollector implements Operator {
  private readonly byWindow = new Map<string, SideWindow>();
  /** Fired by a trigger: a window is ready at its first element (see the file comment). */
  private readonly triggered: boolean;
  /** Bumped at each element: main elements waiting on a triggered side input look again. */
  private received = 0;

  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly watermark: () => Instant,
    /** The side PCollection's element coder, for checkpoints (without it: none can be taken). */
    private readonly elementCoder?: Coder<unknown>,
  ) {
    this.triggered = !strategy.isDefaultTrigger();
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    for (const w of wv.windows) {
      let entry = this.byWindow.get(w.id);
      if (!entry) this.byWindow.set(w.id, (entry = { window: w, values: [], version: 0 }));
      entry.values.push(wv.value);
      entry.version++;
    }
    this.received++;
  }

  /** The side window a main-input window reads: the global window, or the side input's window
   *  that contains the end of the main window (Beam's default window mapping). */
  sideWindow(mainWindow: BoundedWindow): BoundedWindow {
    if (this.strategy.isGlobal()) return GlobalWindow.INSTANCE;
    return this.strategy.windowFn.assignWindows(mainWindow.maxTimestamp(), undefined)[0] ?? mainWindow;
  }

  access(kind: ViewKind, viewName: string, defaultValue: { value: unknown } | undefined): SideInputAccess {
    const cache = new Map<string, { version: number; view: unknown }>();
    return {
      isReady: (mainWindow) => {
        const w = this.sideWindow(mainWindow);
        return this.watermark() > w.maxTimestamp() || (this.triggered && this.byWindow.has(w.id));
      },
      get: (mainWindow) => {
        const w = this.sideWindow(mainWindow);
        const entry = this.byWindow.get(w.id);
        const version = entry?.version ?? 0;
        const hit = cache.get(w.id);
        if (hit !== undefined && hit.version === version) return hit.view;
        const view = buildView(kind, entry?.values ?? [], viewName, defaultValue, this.triggered);
        cache.set(w.id, { version, view });
        return view;
      },
      // Only a triggered side input becomes ready without the watermark moving.
      version: this.triggered ? () => this.received : undefined,
    };
  }

  /** Elements held, for memory accounting. */
  bufferedElements(): number {
    let n = 0;
    for (const e of this.byWindow.values()) n += e.values.length;
    return n;
  }

  /** Every window's elements, as bytes (the window and element coders of the side input). */
  snapshot(): unknown {
    if (this.byWindow.size === 0) return undefined;
    const coder = this.elementCoder;
    if (!coder) throw new CheckpointError(`the side input "${this.name}" was built without its coder: it cannot be checkpointed`);
    const windowCoder = this.strategy.windowFn.windowCoder() as Coder<BoundedWindow>;
    const out = new ByteWriter();
    out.writeVarInt(this.byWindow.size);
    for (const e of this.byWindow.values()) {
      writeValue(windowCoder, e.window, out, () => `a window of the side input "${this.name}"`);
      out.writeVarInt(e.values.length);
      for (const v of e.values) writeValue(coder, v, out, () => `an element of the side input "${this.name}" (give its PCollection a coder that can encode it)`);
    }
    const snap: SnapshotBytes = { format: FORMAT, bytes: out.finish() };
    return snap;
  }

  restore(state: unknown): void {
    const coder = this.elementCoder;
    if (!coder) throw new CheckpointError(`the side input "${this.name}" was built without its coder: it cannot be restored`);
    const windowCoder = this.strategy.windowFn.windowCoder() as Coder<BoundedWindow>;
    const input = snapshotReader(state, FORMAT, this.name);
    for (let n = input.readVarInt(); n > 0; n--) {
      const window = readValue(windowCoder, input, () => `a window of the side input "${this.name}"`);
      const values: unknown[] = [];
      for (let k = input.readVarInt(); k > 0; k--) values.push(readValue(coder, input, () => `an element of the side input "${this.name}"`));
      this.byWindow.set(window.id, { window, values, version: 1 });
    }
    this.received++;
  }
}
