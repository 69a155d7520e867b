/**
 * Materializes a PCollection read as a side input: its elements per window, and the view
 * (singleton, iterable, list, map, multimap) built once the window is complete — when the side
 * input's watermark has passed the window's end, as in Beam.
 */
import type { ViewKind } from '../../../sdk/transforms/side-inputs.js';
import type { Instant } from '../../../sdk/time/instant.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import { GlobalWindow, type BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowingStrategy } from '../../../sdk/window/windowing-strategy.js';
import { buildView, type SideInputAccess } from '../../exec/side-input-views.js';
import type { Delivery, Operator } from '../../exec/unit.js';

export class SideInputCollector implements Operator {
  private readonly byWindow = new Map<string, { window: BoundedWindow; values: unknown[] }>();

  constructor(
    readonly name: string,
    private readonly strategy: WindowingStrategy,
    private readonly watermark: () => Instant,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    for (const w of wv.windows) {
      let entry = this.byWindow.get(w.id);
      if (!entry) this.byWindow.set(w.id, (entry = { window: w, values: [] }));
      entry.values.push(wv.value);
    }
  }

  /** The side window a main-input window reads: the global window, or the side input's window
   *  that contains the end of the main window (Beam's default window mapping). */
  sideWindow(mainWindow: BoundedWindow): BoundedWindow {
    if (this.strategy.isGlobal()) return GlobalWindow.INSTANCE;
    return this.strategy.windowFn.assignWindows(mainWindow.maxTimestamp(), undefined)[0] ?? mainWindow;
  }

  access(kind: ViewKind, viewName: string, defaultValue: { value: unknown } | undefined): SideInputAccess {
    const cache = new Map<string, unknown>();
    return {
      isReady: (mainWindow) => this.watermark() > this.sideWindow(mainWindow).maxTimestamp(),
      get: (mainWindow) => {
        const w = this.sideWindow(mainWindow);
        if (cache.has(w.id)) return cache.get(w.id);
        const view = buildView(kind, this.byWindow.get(w.id)?.values ?? [], viewName, defaultValue);
        cache.set(w.id, view);
        return view;
      },
    };
  }
}
