/**
 * Beam's rules for a timer user code sets, checked the same way by every unit that runs
 * stateful DoFns: a finite time, an event-time timer no later than its window's expiry and no
 * earlier than its output timestamp, and an output timestamp no earlier than the input's less
 * the allowed skew. Returns the timer's output timestamp.
 */
import type { TimeDomain } from '../../../sdk/state/index.js';
import { Instant } from '../../../sdk/time/instant.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { TimerError } from '../errors.js';

export interface TimerSetting {
  readonly family: string;
  readonly tag: string;
  readonly domain: TimeDomain;
  readonly time: number;
  readonly explicitOutput: number | undefined;
  readonly window: BoundedWindow;
  /** When the window's state expires (its end plus the allowed lateness). */
  readonly expiry: number;
  /** The timestamp of the element or timer being processed. */
  readonly inputTs: number;
  readonly skew: number;
}

/** A `TimerSetting` filled in and checked again and again (`check`): an operator setting a timer
 *  on every element (a session's gap timer) makes no object per set(). */
export class ReusedTimerSetting implements TimerSetting {
  family = '';
  tag = '';
  domain: TimeDomain = 'EVENT_TIME';
  time = 0;
  explicitOutput: number | undefined = undefined;
  window!: BoundedWindow;
  expiry = 0;
  inputTs = 0;
  skew = 0;

  /** Fills every field in and checks the setting (`checkedOutputTimestamp`): the timer's output timestamp. */
  check(family: string, tag: string, domain: TimeDomain, time: number, explicitOutput: number | undefined, window: BoundedWindow, expiry: number, inputTs: number, skew: number): number {
    this.family = family;
    this.tag = tag;
    this.domain = domain;
    this.time = time;
    this.explicitOutput = explicitOutput;
    this.window = window;
    this.expiry = expiry;
    this.inputTs = inputTs;
    this.skew = skew;
    return checkedOutputTimestamp(this);
  }
}

export function checkedOutputTimestamp(t: TimerSetting): number {
  if (!Number.isFinite(t.time)) throw new TimerError(t.family, `timer "${t.family}": cannot set it for ${t.time}`);
  const outputTs = t.explicitOutput ?? (t.domain === 'EVENT_TIME' ? t.time : t.inputTs);
  // (Named only for an error: a timer set on every element builds no string.)
  const what = () => (t.tag === '' ? `timer "${t.family}"` : `timer "${t.family}" (tag "${t.tag}")`);
  if (t.domain === 'EVENT_TIME') {
    if (t.time > t.expiry) {
      throw new TimerError(
        t.family,
        `${what()} set for ${Instant.format(t.time as Instant)}, after the expiry of window ${String(t.window)} at ` +
          `${Instant.format(t.expiry as Instant)} (its end plus the allowed lateness): it could never fire`,
      );
    }
    if (outputTs > t.time) {
      throw new TimerError(t.family, `${what()}: output timestamp ${Instant.format(outputTs as Instant)} is after its firing time ${Instant.format(t.time as Instant)}`);
    }
  }
  if (outputTs < t.inputTs - t.skew) {
    throw new TimerError(
      t.family,
      `${what()}: output timestamp ${Instant.format(outputTs as Instant)} is earlier than the current input's ` +
        `(${Instant.format(t.inputTs as Instant)}) minus the allowed skew (${t.skew} ms)`,
    );
  }
  return outputTs;
}
