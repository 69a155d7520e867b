/**
 * Which firing of a window produced an element: Beam's PaneInfo. User code sees it through the
 * process context; the windowed-value coders carry it on the wire.
 */
export type PaneTiming = 'EARLY' | 'ON_TIME' | 'LATE' | 'UNKNOWN';

export interface PaneInfo {
  readonly isFirst: boolean;
  readonly isLast: boolean;
  readonly timing: PaneTiming;
  /** Index of this pane among all panes of the window, from 0. */
  readonly index: number;
  /** Index among the non-early panes (−1 for early panes). */
  readonly onTimeIndex: number;
}

/** The pane of an element that was never produced by a trigger firing. */
export const NO_FIRING: PaneInfo = Object.freeze({
  isFirst: true,
  isLast: true,
  timing: 'UNKNOWN',
  index: 0,
  onTimeIndex: 0,
});

export function paneInfo(p: PaneInfo): PaneInfo {
  return Object.freeze({ ...p });
}
