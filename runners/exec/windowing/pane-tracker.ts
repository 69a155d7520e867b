/**
 * Pane bookkeeping (Beam's PaneInfoTracker): which pane a window's next output is — first or
 * not, last or not, its timing, index and on-time index — and whether an empty pane is emitted
 * at all (the on-time and closing behaviours).
 */
import type { PaneInfo, PaneTiming } from '../../../sdk/values/pane.js';
import { ONLY_PANE } from './window-buckets.js';

/** A pane timing as a small integer (kept in a window state's flag bits); NONE: no pane yet. */
export const PaneTimingCode = { NONE: 0, EARLY: 1, ON_TIME: 2, LATE: 3 } as const;
export type PaneTimingCode = (typeof PaneTimingCode)[keyof typeof PaneTimingCode];
const TIMING_NAMES: readonly PaneTiming[] = ['UNKNOWN', 'EARLY', 'ON_TIME', 'LATE'];

/** What the tracker reads and updates on a window. */
export interface PaneHistory {
  readonly maxTs: number;
  paneIndex: number;
  lastOnTimeIndex: number;
  lastTiming: PaneTimingCode;
}

export class PaneTracker {
  constructor(
    /** Emit an empty ON_TIME pane (`onTimeBehavior` FIRE_ALWAYS). */
    private readonly onTimeAlways: boolean,
    /** Emit an empty final pane (`closingBehavior` FIRE_ALWAYS). */
    private readonly closingAlways: boolean,
  ) {}

  /** Whether an empty pane could be emitted at all (else the caller skips the work). */
  mayEmitEmpty(): boolean {
    return this.closingAlways || this.onTimeAlways;
  }

  /**
   * The pane `w` fires now (null: nothing to emit), and the window's pane history moved past it.
   * `isFinished`: the window's last pane.
   */
  next(w: PaneHistory, isEmpty: boolean, isFinished: boolean, inputWm: number, outputWm: number): PaneInfo | null {
    const isFirst = w.paneIndex === 0;
    let onTimeIndex = isFirst ? 0 : w.lastOnTimeIndex + 1;
    let timing: PaneTimingCode;
    if (w.maxTs < outputWm || (w.lastTiming !== PaneTimingCode.NONE && w.lastTiming !== PaneTimingCode.EARLY)) timing = PaneTimingCode.LATE;
    else if (!(inputWm > w.maxTs)) {
      timing = PaneTimingCode.EARLY;
      onTimeIndex = -1;
    } else timing = PaneTimingCode.ON_TIME;

    const needToEmit = !isEmpty || (timing === PaneTimingCode.ON_TIME && this.onTimeAlways) || (isFinished && this.closingAlways);
    if (!needToEmit) return null;
    const pane: PaneInfo =
      isFirst && isFinished && timing === PaneTimingCode.ON_TIME
        ? ONLY_PANE
        : { isFirst, isLast: isFinished, timing: TIMING_NAMES[timing]!, index: w.paneIndex, onTimeIndex };
    if (!isFinished) {
      // (After its last pane a window never fires again: nothing to count.)
      w.paneIndex++;
      w.lastOnTimeIndex = onTimeIndex;
    }
    w.lastTiming = timing;
    return pane;
  }
}
