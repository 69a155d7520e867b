/**
 * The unit of state: one key in one window. It owns the key's pending timers; its state data
 * sits in the operator's state columns at the scope's id. The operator drops it when the window expires (or, in the global window, when its TTL runs
 * out and no timer is pending).
 */
import type { TimeDomain } from '../../../sdk/state/index.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { GroupingKey } from '../grouping-key.js';
import type { QueueEntry } from './timer-queue.js';

export const EntryKind = {
  User: 0,
  /** The window expired: onWindowExpiration, then the scope is dropped. */
  Expiry: 1,
  /** Global-window state ran past its time-to-live. */
  Ttl: 2,
} as const;
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** Internal entries sort after user timers of the same time: user timers at the expiry time
 *  still see the state. */
export const INTERNAL_SEQ_BASE = 2 ** 52;

export class TimerEntry implements QueueEntry {
  qIdx = -1;
  hIdx = -1;
  constructor(
    public seq: number,
    readonly kind: EntryKind,
    readonly scope: Scope,
    /** Heap key; for a TTL entry it may lag behind `due` (moved later lazily). */
    public time: number,
    public outputTs: number,
    readonly family: string = '',
    readonly tag: string = '',
    public domain: TimeDomain = 'EVENT_TIME',
  ) {}
  due = 0;

  /** Whether its watermark hold sits in the hold queue rather than being its place in the
   *  event-time firing queue: a user event-time timer whose output timestamp is its firing time
   *  (the default) holds from there while it is queued. */
  holdsApart(): boolean {
    return this.kind !== EntryKind.User || this.domain !== 'EVENT_TIME' || this.outputTs !== this.time;
  }

  /** Whether it holds the output watermark now (what a checkpoint records). */
  get held(): boolean {
    return this.hIdx >= 0 || (this.qIdx >= 0 && !this.holdsApart());
  }

  /** A user timer set again while pending (taken out of its queues first): the same entry, as
   *  if new — a new sequence number, time, output timestamp and domain — so a key whose timer
   *  moves on every element (a session's gap) makes no garbage. */
  setAgain(seq: number, time: number, outputTs: number, domain: TimeDomain): void {
    this.seq = seq;
    this.time = time;
    this.outputTs = outputTs;
    this.domain = domain;
  }
}

export class Scope {
  /** Pending user timers: none, the one entry itself (the common case — one timer family, no
   *  tags — costs no Map per key), or a Map by family and tag once a second one is set. Read and
   *  write it through the methods below. */
  private timers: TimerEntry | Map<string, TimerEntry> | undefined = undefined;
  expiry: TimerEntry | undefined = undefined;
  ttl: TimerEntry | undefined = undefined;
  dropped = false;
  constructor(
    /** Index of the scope's state in the operator's state columns. */
    readonly id: number,
    readonly key: unknown,
    readonly groupingKey: GroupingKey,
    readonly window: BoundedWindow,
    /** The window as an output's window list, shared by every output of the scope. */
    readonly windows: readonly BoundedWindow[],
    readonly global: boolean,
  ) {}

  timer(family: string, tag: string): TimerEntry | undefined {
    const t = this.timers;
    if (t === undefined) return undefined;
    if (t instanceof TimerEntry) return t.family === family && t.tag === tag ? t : undefined;
    return t.get(timerId(family, tag));
  }

  /** Sets or replaces the user timer of the entry's family and tag (a replaced one keeps its
   *  place in the order, as a Map's would). */
  putTimer(entry: TimerEntry): void {
    const t = this.timers;
    if (t === undefined || (t instanceof TimerEntry && t.family === entry.family && t.tag === entry.tag)) this.timers = entry;
    else if (t instanceof TimerEntry) this.timers = new Map([[timerId(t.family, t.tag), t], [timerId(entry.family, entry.tag), entry]]);
    else t.set(timerId(entry.family, entry.tag), entry);
  }

  deleteTimer(family: string, tag: string): void {
    const t = this.timers;
    if (t === undefined) return;
    if (t instanceof TimerEntry) {
      if (t.family === family && t.tag === tag) this.timers = undefined;
    } else t.delete(timerId(family, tag));
  }

  /** The pending user timers, in the order they were first set. */
  timerEntries(): readonly TimerEntry[] {
    const t = this.timers;
    if (t === undefined) return [];
    return t instanceof TimerEntry ? [t] : [...t.values()];
  }

  hasTimers(): boolean {
    const t = this.timers;
    return t !== undefined && (t instanceof TimerEntry || t.size > 0);
  }

  clearTimers(): void {
    this.timers = undefined;
  }
}

export function timerId(family: string, tag: string): string {
  return tag === '' ? family : `${family}\u0000${tag}`;
}
