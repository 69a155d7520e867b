/**
 * `ctx.timers`: one object per operator with a handle per declared timer. The handles act on the
 * operator's current scope, so the same objects serve every key.
 */
import type { TimeDomain, Timer, TimerFamily } from '../../../sdk/state/index.js';
import type { Duration, Instant } from '../../../sdk/time/instant.js';

export interface ViewHost {
  setTimer(family: string, tag: string, domain: TimeDomain, time: number, outputTimestamp: number | undefined): void;
  clearTimer(family: string, tag: string): void;
  /** What `setRelative` counts from: the current input's timestamp, or processing time now. */
  relativeBase(domain: TimeDomain): number;
}

export interface TimerDecl {
  readonly name: string;
  readonly domain: TimeDomain;
  readonly family: boolean;
}

export function timersView(host: ViewHost, timers: readonly TimerDecl[]): object {
  const view: Record<string, Timer | TimerFamily> = {};
  for (const t of timers) view[t.name] = t.family ? new FamilyHandle(host, t.name, t.domain) : new TimerHandle(host, t.name, '', t.domain, undefined);
  return Object.freeze(view);
}

class TimerHandle implements Timer {
  constructor(
    private readonly host: ViewHost,
    private readonly family: string,
    private readonly tag: string,
    private readonly domain: TimeDomain,
    private readonly outputTs: number | undefined,
  ) {}
  set(time: Instant): void {
    this.host.setTimer(this.family, this.tag, this.domain, time, this.outputTs);
  }
  setRelative(delay: Duration): void {
    this.set((this.host.relativeBase(this.domain) + delay) as Instant);
  }
  withOutputTimestamp(timestamp: Instant): Timer {
    return new TimerHandle(this.host, this.family, this.tag, this.domain, timestamp);
  }
  clear(): void {
    this.host.clearTimer(this.family, this.tag);
  }
}

class FamilyHandle implements TimerFamily {
  constructor(
    private readonly host: ViewHost,
    private readonly family: string,
    private readonly domain: TimeDomain,
  ) {}
  get(tag: string): Timer {
    if (typeof tag !== 'string') throw new TypeError(`timer family "${this.family}": a dynamic tag must be a string, got ${typeof tag}`);
    return new TimerHandle(this.host, this.family, tag, this.domain, undefined);
  }
  clear(tag: string): void {
    this.host.clearTimer(this.family, tag);
  }
}
