/**
 * The unit of state: one key in one window. It owns the key's pending timers; its state data
 * sits in the operator's state columns at the scope's id. The operator drops it when the window expires (or, in the global window, when its TTL runs
 * out and no timer is pending).
 */
import type { TimeDomain } from '../../../sdk/state/index.js';
import { Instant } from '../../../sdk/time/instant.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
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

/** `TimerEntry.bits`: the kind in the low two bits, then the time domain. */
const KIND_MASK = 3;
const PROCESSING = 4;

export class TimerEntry implements QueueEntry {
  qIdx = -1;
  hIdx = -1;
  /** Kind and time domain (see KIND_MASK): one field rather than two. */
  private bits: number;
  /** The output timestamp; for a TTL entry (which holds nothing: its output timestamp is the
   *  end of time) its true due time (see `due`). One field for the two: with a million keys,
   *  each field of an entry is 8 MB of heap. */
  private ts: number;
  constructor(
    public seq: number,
    kind: EntryKind,
    readonly scope: Scope,
    /** Heap key; for a TTL entry it may lag behind `due` (moved later lazily). */
    public time: number,
    outputTs: number,
    readonly family: string = '',
    readonly tag: string = '',
    domain: TimeDomain = 'EVENT_TIME',
  ) {
    this.bits = kind | (domain === 'PROCESSING_TIME' ? PROCESSING : 0);
    this.ts = kind === EntryKind.Ttl ? 0 : outputTs;
  }

  get kind(): EntryKind {
    return (this.bits & KIND_MASK) as EntryKind;
  }
  get domain(): TimeDomain {
    return (this.bits & PROCESSING) !== 0 ? 'PROCESSING_TIME' : 'EVENT_TIME';
  }
  get outputTs(): number {
    return (this.bits & KIND_MASK) === EntryKind.Ttl ? Instant.MAX : this.ts;
  }
  /** A TTL entry's true due time (its queue key, `time`, may lag behind); 0 for other kinds. */
  get due(): number {
    return (this.bits & KIND_MASK) === EntryKind.Ttl ? this.ts : 0;
  }
  set due(t: number) {
    if ((this.bits & KIND_MASK) === EntryKind.Ttl) this.ts = t;
  }

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
    this.ts = outputTs;
    this.bits = EntryKind.User | (domain === 'PROCESSING_TIME' ? PROCESSING : 0);
  }
}

/** `Scope.flags` bits. */
const GLOBAL = 1;
const DROPPED = 2;

export class Scope {
  /** Pending user timers: none, the one entry itself (the common case — one timer family, no
   *  tags — costs no Map per key), or a Map by family and tag once a second one is set. Read and
   *  write it through the methods below. */
  private timers: TimerEntry | Map<string, TimerEntry> | undefined = undefined;
  /** The window expiry entry (a window's scope) or the state TTL entry (the global window's): a
   *  scope has at most one of the two, so one field holds it (`expiry`, `ttl`). */
  private internal: TimerEntry | undefined = undefined;
  private flags: number;
  // Six fields: with a million keys open (the sessionizer), each field is 8 MB of heap.
  constructor(
    /** Index of the scope's state in the operator's state columns. */
    readonly id: number,
    readonly key: unknown,
    /** The window as an output's window list (`[window]`), shared by every output of the scope. */
    readonly windows: readonly BoundedWindow[],
    global: boolean,
  ) {
    this.flags = global ? GLOBAL : 0;
  }

  get window(): BoundedWindow {
    return this.windows[0]!;
  }

  /** The global window's scope (no expiry; a TTL if the operator has one). */
  get global(): boolean {
    return (this.flags & GLOBAL) !== 0;
  }

  /** Its state and timers are gone (its window expired, or its TTL ran out). */
  get dropped(): boolean {
    return (this.flags & DROPPED) !== 0;
  }
  set dropped(b: boolean) {
    this.flags = b ? this.flags | DROPPED : this.flags & ~DROPPED;
  }

  get expiry(): TimerEntry | undefined {
    return this.global ? undefined : this.internal;
  }
  set expiry(e: TimerEntry | undefined) {
    if (!this.global) this.internal = e;
  }
  get ttl(): TimerEntry | undefined {
    return this.global ? this.internal : undefined;
  }
  set ttl(e: TimerEntry | undefined) {
    if (this.global) this.internal = e;
  }

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
