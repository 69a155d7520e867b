/**
 * Live data sampling: the last N elements of a PCollection, taken as they pass, with their
 * timestamps, windows and panes. Only PCollections someone asked about pay anything: `offer` is
 * called for those alone, and it stores a reference (rendering happens when the sample is read,
 * off the job's path).
 */
import type { WindowedValue } from '../../sdk/values/windowed-value.js';

export interface SampledElement {
  /** The value as readable text (JSON where it can be), cut at `PREVIEW_CHARS`. */
  readonly value: string;
  /** Event time as ISO text, or ±∞. */
  readonly timestamp: string;
  readonly windows: readonly string[];
  readonly pane: string;
  /** Wall-clock time it was seen (ms since the epoch). */
  readonly seenAt: number;
}

const PREVIEW_CHARS = 400;
const MAX_LIMIT = 1000;
const BOUND = 9.2e15;

export interface ElementRing {
  offer(e: WindowedValue<unknown>): void;
}

/** Keeps the last `limit` elements offered to it. */
class Ring implements ElementRing {
  private readonly items: Array<{ e: WindowedValue<unknown>; at: number }> = [];
  private next = 0;
  constructor(readonly limit: number) {}
  offer(e: WindowedValue<unknown>): void {
    if (this.items.length < this.limit) this.items.push({ e, at: Date.now() });
    else {
      this.items[this.next] = { e, at: Date.now() };
      this.next = (this.next + 1) % this.limit;
    }
  }
  ordered(): Array<{ e: WindowedValue<unknown>; at: number }> {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

/** The sampling state of one job: which PCollections are sampled, and their rings. */
export class ElementSampler {
  private readonly rings = new Map<string, Ring>();

  /** The ring of a sampled PCollection, for a tap to offer to; undefined when not sampled. */
  ring(pcollection: string): ElementRing | undefined {
    return this.rings.get(pcollection);
  }

  /** Turns sampling of `pcollection` on (keeping what it has when the limit is unchanged) or off
   *  (`limit` 0), and returns what it holds, oldest first. */
  sample(pcollection: string, limit: number): SampledElement[] {
    const n = Math.max(0, Math.min(MAX_LIMIT, Math.floor(limit)));
    if (n === 0) {
      this.rings.delete(pcollection);
      return [];
    }
    let ring = this.rings.get(pcollection);
    if (!ring || ring.limit !== n) this.rings.set(pcollection, (ring = new Ring(n)));
    return ring.ordered().map(({ e, at }) => previewElement(e, at));
  }
}

export function previewElement(e: WindowedValue<unknown>, seenAt: number): SampledElement {
  return {
    value: preview(e.value),
    timestamp: instantText(e.timestamp),
    windows: e.windows.map((w) => {
      const iw = w as { start?: number; end?: number };
      return typeof iw.start === 'number' && typeof iw.end === 'number' ? `[${instantText(iw.start)}, ${instantText(iw.end)})` : String(w);
    }),
    pane: e.pane.timing === 'UNKNOWN' ? 'no firing' : `${e.pane.timing} #${e.pane.index}${e.pane.isLast ? ' (last)' : ''}`,
    seenAt,
  };
}

export function instantText(ms: number): string {
  if (ms <= -BOUND) return '−∞';
  if (ms >= BOUND) return '+∞';
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(ms) : d.toISOString();
}

/** JSON of any value (bigint, Map, Set, bytes, cycles, class instances), cut to a readable size. */
export function preview(value: unknown): string {
  const seen = new WeakSet<object>();
  let text: string;
  try {
    text =
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === 'bigint') return `${v}n`;
        if (v instanceof Map) return { Map: [...v.entries()].slice(0, 50) };
        if (v instanceof Set) return { Set: [...v].slice(0, 50) };
        if (v instanceof Uint8Array) return `<${v.length} bytes>`;
        if (typeof v === 'function') return `<function ${(v as { name?: string }).name || 'anonymous'}>`;
        if (v !== null && typeof v === 'object') {
          if (seen.has(v)) return '<repeated>';
          seen.add(v);
        }
        return v;
      }) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > PREVIEW_CHARS ? `${text.slice(0, PREVIEW_CHARS)}…` : text;
}
