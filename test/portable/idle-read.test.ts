/**
 * An unbounded read that goes quiet on a portable runner (Prism, loopback workers in this
 * process). The runner sees a read's watermark estimate only when its process call returns; a
 * read idle in the middle of a call used to hold every window downstream until its next element
 * or the end of input. Now it returns `ProcessContinuation.resume()` after the estimate moved, and
 * the window's pane fires while the feed is still quiet.
 *
 * The feeds are driven by the test: they stop at a gate the test opens only after the pane it
 * waits for came out (waiting with a timeout, never a sleep), so without the resume the pane can
 * only time out.
 */
import { describe, expect, it } from 'vitest';
import { LiveSource } from '../../io/kappa/index.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';
import { Count, DoFn, Duration, FixedWindows, Instant, Map as MapElements, ParDo, PeriodicImpulse, Pipeline, Window, type KV, type ProcessContext } from '../../sdk/index.js';
import type { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { usePrism } from '../servers/prism/prism.js';

const prism = usePrism();

interface Ev {
  readonly key: string;
  readonly ts: number;
}

/** A promise the test resolves. */
function gate(): { readonly opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/** Panes as "key@windowStart=count", collected in this process (loopback workers). */
class Panes {
  readonly lines: string[] = [];
  private waiters: Array<{ line: string; resolve: () => void }> = [];

  add(line: string): void {
    this.lines.push(line);
    for (const w of this.waiters.filter((w) => w.line === line)) w.resolve();
    this.waiters = this.waiters.filter((w) => w.line !== line);
  }

  /** Resolves once `line` came out; rejects after `ms` (a timeout, not a timed assertion). */
  waitFor(line: string, ms: number): Promise<void> {
    if (this.lines.includes(line)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no pane "${line}" within ${ms} ms; panes so far: ${JSON.stringify(this.lines)}`)), ms);
      this.waiters.push({ line, resolve: () => (clearTimeout(timer), resolve()) });
    });
  }
}

/** Processing time the test moves: `sleep` waits for the test, not for the wall clock. */
class VirtualClock {
  private waiting: Array<{ until: number; wake: () => void }> = [];
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.waiting.push({ until: this.t + ms, wake }));
  }
  set(t: number): void {
    this.t = t;
    for (const w of this.waiting.filter((w) => w.until <= t)) w.wake();
    this.waiting = this.waiting.filter((w) => w.until > t);
  }
}

class CollectPanes extends DoFn<KV<string, number>, never> {
  constructor(private readonly panes: Panes) {
    super();
  }
  process(c: KV<string, number>, ctx: ProcessContext<never>): void {
    const w = ctx.window as IntervalWindow;
    this.panes.add(`${c.key}@${w.start / 1000}=${c.value}`);
  }
}

describe('an idle unbounded read on a portable runner', () => {
  it('LiveSource: a window fires from the watermark while the feed is quiet; the resumed feed neither loses nor repeats elements', { timeout: 180_000 }, async () => {
    const quiet = gate();
    let produced = 0;
    async function* feed(): AsyncGenerator<Ev | ReturnType<typeof LiveSource.heartbeat>> {
      produced++;
      yield { key: 'a', ts: 1_000 };
      yield { key: 'a', ts: 2_000 };
      yield { key: 'b', ts: 3_000 };
      // The feed's clock is at 25 s: the watermark may pass the end of [0 s, 10 s).
      yield LiveSource.heartbeat(25_000);
      await quiet.opened;
      yield { key: 'a', ts: 31_000 };
      yield { key: 'c', ts: 32_000 };
    }
    const panes = new Panes();
    const p = new Pipeline();
    p.apply(LiveSource.from(feed, { timestamp: 'ts', maxOutOfOrderness: Duration.millis(0) }))
      .apply(Window.into<Ev>(FixedWindows.of(Duration.seconds(10))))
      .apply(MapElements.of((e: Ev) => e.key))
      .apply(Count.perElement<string>())
      .apply('Collect', ParDo.of(new CollectPanes(panes)));
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    const finished = result.waitUntilFinish();
    finished.catch(() => undefined);
    await Promise.race([panes.waitFor('a@0=2', 120_000), finished.then(() => Promise.reject(new Error('the job ended before the pane')))]);
    await panes.waitFor('b@0=1', 30_000);
    expect(panes.lines.sort()).toEqual(['a@0=2', 'b@0=1']);
    quiet.open();
    await finished;
    expect(result.state).toBe('DONE');
    expect(panes.lines.sort()).toEqual(['a@0=2', 'a@30=1', 'b@0=1', 'c@30=1']);
    // The resumes went on with the open feed: it was produced once.
    expect(produced).toBe(1);
  });

  it('PeriodicImpulse: the impulses already due fire their windows while the read waits for the next one', { timeout: 180_000 }, async () => {
    // Impulses every 10 s from 0 to 50 s; processing time is at 29 s: 0, 10 and 20 s are due, and
    // the read waits (on the virtual clock) for 30 s.
    const clock = new VirtualClock(29_000);
    const panes = new Panes();
    const p = new Pipeline();
    p.apply(PeriodicImpulse.create({ start: Instant.ofEpochMillis(0), stop: Instant.ofEpochMillis(50_000), interval: Duration.seconds(10), clock }))
      .apply(Window.into<Instant>(FixedWindows.of(Duration.seconds(10))))
      .apply(MapElements.of(() => 'tick'))
      .apply(Count.perElement<string>())
      .apply('Collect', ParDo.of(new CollectPanes(panes)));
    const result = new PortableRunner({ jobEndpoint: prism.current.endpoint }).run(p);
    const finished = result.waitUntilFinish();
    finished.catch(() => undefined);
    await Promise.race([panes.waitFor('tick@10=1', 120_000), finished.then(() => Promise.reject(new Error('the job ended before the pane')))]);
    expect(panes.lines.sort()).toEqual(['tick@0=1', 'tick@10=1']);
    clock.set(50_000);
    await finished;
    expect(result.state).toBe('DONE');
    expect(panes.lines.sort()).toEqual(['tick@0=1', 'tick@10=1', 'tick@20=1', 'tick@30=1', 'tick@40=1']);
  });
});
