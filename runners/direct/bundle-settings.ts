/**
 * Settings that change how the direct runner cuts and orders its bundles, never what a correct
 * pipeline computes: a result that changes with them depends on bundling or arrival order, which
 * Beam leaves to the runner. The test suites run under several of them for that reason.
 *
 * - `bundleSize`: a root's bundle (a TestStream's batch of elements, an impulse) is cut into
 *   bundles of at most this many elements, and the input of every grouping and stateful operator
 *   is handed over in bundles of at most this many (each followed by finishBundle, where triggers
 *   are evaluated).
 * - `orderSeed`: those bundles' elements are shuffled with a PRNG seeded by this number, so an
 *   order a test depends on by accident shows up, and a failure can be replayed with its seed.
 */
import { TributaryError } from '../../sdk/errors.js';
import { Instant } from '../../sdk/time/instant.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';
import { NOT_NOW, type Delivery, type Operator } from '../exec/unit.js';
import { CheckpointRestoreError } from '../exec/snapshot-bytes.js';

export interface BundleSettings {
  /** At most this many elements per bundle (a whole number ≥ 1); absent: as the source cut them. */
  readonly bundleSize?: number;
  /** Shuffle each bundle with this seed; absent: arrival order. */
  readonly orderSeed?: number;
}

/** A bundle setting that is not a usable number; names the setting. */
export class BundleSettingsError extends TributaryError {}

export function checkBundleSettings(s: BundleSettings): void {
  if (s.bundleSize !== undefined && !(Number.isInteger(s.bundleSize) && s.bundleSize >= 1)) {
    throw new BundleSettingsError(`bundleSize must be a whole number ≥ 1, got ${s.bundleSize}`);
  }
  if (s.orderSeed !== undefined && !Number.isInteger(s.orderSeed)) {
    throw new BundleSettingsError(`orderSeed must be a whole number, got ${s.orderSeed}`);
  }
}

export function changesBundles(s: BundleSettings): boolean {
  return s.bundleSize !== undefined || s.orderSeed !== undefined;
}

/** A seeded order: xorshift32 over the seed, Fisher–Yates over the items. */
export class BundleOrder {
  private state: number;
  constructor(seed: number) {
    this.state = (seed ^ 0x9e3779b9) >>> 0 || 1;
  }
  private next(): number {
    let x = this.state;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 0x100000000;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t;
    }
    return items;
  }
}

/** Cuts `items` (after shuffling them, with an order) into bundles of at most `size`. */
export function cutBundles<T>(items: readonly T[], settings: BundleSettings, order: BundleOrder | undefined): T[][] {
  const all = order ? order.shuffle([...items]) : [...items];
  const size = settings.bundleSize ?? (all.length || 1);
  const out: T[][] = [];
  for (let i = 0; i < all.length; i += size) out.push(all.slice(i, i + size));
  return out;
}

/**
 * In front of a grouping or stateful operator: holds what arrives during a bundle and hands it
 * over at the bundle's end, shuffled and cut per the settings, with the operator's finishBundle
 * after each cut. Anything that makes the operator act on time (a watermark, processing time)
 * first hands over what is held.
 */
export class RebundledOperator implements Operator {
  private held: WindowedValue<unknown>[] = [];
  private readonly order: BundleOrder | undefined;

  constructor(
    readonly inner: Operator,
    private readonly settings: BundleSettings,
  ) {
    this.order = settings.orderSeed === undefined ? undefined : new BundleOrder(settings.orderSeed);
  }

  get name(): string {
    return this.inner.name;
  }

  receive(element: WindowedValue<unknown>): Delivery {
    this.held.push(element);
  }

  private async handOver(): Promise<void> {
    while (this.held.length > 0) {
      const batch = this.held;
      this.held = [];
      for (const bundle of cutBundles(batch, this.settings, this.order)) {
        for (const e of bundle) {
          const d = this.inner.receive(e);
          if (d) await d;
        }
        const f = this.inner.finishBundle?.();
        if (f) await f;
      }
    }
  }

  finishBundle(): Delivery {
    if (this.held.length > 0) return this.handOver();
    return this.inner.finishBundle?.();
  }

  onWatermark(watermark: Instant): Delivery {
    if (this.held.length > 0) return this.handOver().then(() => this.inner.onWatermark?.(watermark));
    return this.inner.onWatermark?.(watermark);
  }

  onProcessingTime(now: Instant): Delivery {
    if (this.held.length > 0) return this.handOver().then(() => this.inner.onProcessingTime?.(now));
    return this.inner.onProcessingTime?.(now);
  }

  setup(): Promise<void> | void {
    return this.inner.setup?.();
  }
  drain(): Promise<void> {
    return this.inner.drain ? this.inner.drain() : Promise.resolve();
  }
  nextProcessingTimeTimer(): Instant | undefined {
    return this.inner.nextProcessingTimeTimer?.();
  }
  hold(): Instant {
    // Held elements are not the operator's yet: hold at the earliest of them.
    let h = this.inner.hold ? this.inner.hold() : Instant.MAX;
    for (const e of this.held) if (e.timestamp < h) h = e.timestamp;
    return h;
  }
  bufferedElements(): number {
    return this.held.length + (this.inner.bufferedElements?.() ?? 0);
  }
  snapshot(): unknown {
    if (this.held.length > 0) return NOT_NOW;
    if (this.inner.snapshot) return this.inner.snapshot();
    // An operator that cannot checkpoint must hold nothing when one is taken.
    return (this.inner.bufferedElements?.() ?? 0) > 0 ? NOT_NOW : undefined;
  }
  restore(state: unknown): void {
    if (!this.inner.restore) throw CheckpointRestoreError.cannotRestore(this.name);
    this.inner.restore(state);
  }
  resume(): void {
    this.inner.resume?.();
  }
  teardown(): Promise<void> | void {
    return this.inner.teardown?.();
  }
}
