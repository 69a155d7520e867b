/** The single global window: every element, all of time. The default windowing. */
import type { Coder } from '../coders/coder.js';
import { Coders } from '../coders/index.js';
import type { Instant } from '../time/instant.js';
import { GLOBAL_WINDOWS, GlobalWindow, type BoundedWindow } from './bounded-window.js';
import { WindowFn } from './window-fn.js';

export class GlobalWindows extends WindowFn<GlobalWindow> {
  static readonly INSTANCE = new GlobalWindows();
  readonly isMerging = false;
  override readonly assignsToOneWindow = true;

  static of(): GlobalWindows {
    return GlobalWindows.INSTANCE;
  }
  private constructor() {
    super();
  }
  assignWindows(_timestamp: Instant): readonly GlobalWindow[] {
    return GLOBAL_WINDOWS as readonly GlobalWindow[];
  }
  windowCoder(): Coder<GlobalWindow> {
    return Coders.globalWindow();
  }
  isCompatible(other: WindowFn<BoundedWindow>): boolean {
    return other instanceof GlobalWindows;
  }
  override sideInputWindow(_mainWindow: BoundedWindow): GlobalWindow {
    return GlobalWindow.INSTANCE;
  }
  toString(): string {
    return 'GlobalWindows';
  }
}
