/**
 * An element as runners and coders see it: the value, its event timestamp, the windows it is
 * in, and the pane that produced it.
 */
import type { Instant } from '../time/instant.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import { GLOBAL_WINDOWS } from '../window/bounded-window.js';
import { NO_FIRING, type PaneInfo } from './pane.js';
import { Instant as I } from '../time/instant.js';

export interface WindowedValue<T> {
  readonly value: T;
  readonly timestamp: Instant;
  readonly windows: readonly BoundedWindow[];
  readonly pane: PaneInfo;
}

export function windowedValue<T>(
  value: T,
  timestamp: Instant,
  windows: readonly BoundedWindow[],
  pane: PaneInfo = NO_FIRING,
): WindowedValue<T> {
  return { value, timestamp, windows, pane };
}

/** A value in the global window at the minimum timestamp, as Impulse and Create produce. */
export function inGlobalWindow<T>(value: T, timestamp: Instant = I.MIN): WindowedValue<T> {
  return { value, timestamp, windows: GLOBAL_WINDOWS, pane: NO_FIRING };
}
