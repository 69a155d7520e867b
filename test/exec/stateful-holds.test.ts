/**
 * The stateful ParDo operator's output watermark hold: the earliest output timestamp of its
 * pending timers. A user event-time timer at its default output timestamp (its firing time) holds
 * from its place in the firing queue, the others from a hold queue of their own: whichever way,
 * after every step the hold must be what a plain list of the pending timers says, and a
 * checkpoint must carry it.
 */
import { describe, expect, it } from 'vitest';
import { Coders, Instant, StatefulDoFn, TimerSpecs, kv, type Coder, type FiredTimer, type KV, type OnTimerContext, type StatefulProcessContext } from '../../sdk/index.js';
import { MetricsContainer } from '../../sdk/metrics/container.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOWS, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { StatefulParDoOperator } from '../../runners/exec/stateful-pardo.js';
import { groupingKeyFn } from '../../runners/exec/grouping-key.js';
import { prng } from '../prng.js';

/** An element says which timer to set (or clear) and when: `e@t`, `e@t<o` (output timestamp o),
 *  `p@t` (processing time), `-e` (clear the event-time timer). */
const timers = { e: TimerSpecs.eventTime(), p: TimerSpecs.processingTime() };
type T = typeof timers;

class Timers extends StatefulDoFn<string, string, string, {}, T> {
  constructor() {
    super({ timers });
    this.allowedTimestampSkew = Infinity;
  }
  process(e: KV<string, string>, ctx: StatefulProcessContext<string, string, {}, T>): void {
    const v = e.value;
    if (v === '-e') return void ctx.timers.e.clear();
    const [name, rest] = v.split('@') as ['e' | 'p', string];
    const [t, o] = rest.split('<').map(Number) as [number, number | undefined];
    if (name === 'p') ctx.timers.p.set(t as Instant);
    else if (o === undefined) ctx.timers.e.set(t as Instant);
    else ctx.timers.e.withOutputTimestamp(o as Instant).set(t as Instant);
  }
  override onTimer(t: FiredTimer<T>, ctx: OnTimerContext<string, string, {}, T>): void {
    ctx.output(`${ctx.key}/${t.timer}`);
  }
}

function operator(): StatefulParDoOperator {
  return new StatefulParDoOperator({
    name: 'Timers',
    fn: new Timers() as never,
    main: { receive: () => undefined },
    tagged: new Map(),
    metrics: new MetricsContainer('Timers'),
    keyOf: groupingKeyFn(Coders.string(), 'input'),
    states: [],
    timers: [
      { name: 'e', domain: 'EVENT_TIME', family: false },
      { name: 'p', domain: 'PROCESSING_TIME', family: false },
    ],
    onWindowExpiration: false,
    allowedLateness: 0,
    stateTtl: undefined,
    keyCoder: Coders.string() as Coder<unknown>,
    windowCoder: GlobalWindows.of().windowCoder() as Coder<BoundedWindow>,
  });
}

describe('stateful ParDo: the output watermark hold', () => {
  it('is the earliest output timestamp of the pending timers after every step (set, set again, clear, fire, restore)', async () => {
    let steps = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const random = prng(seed);
      let op = operator();
      // The oracle: each key's pending timers, with their output timestamps.
      const pending = new Map<string, { e?: { t: number; o: number }; p?: { o: number } }>();
      let wm = 0;
      let now = 0;
      for (let step = 0; step < 120; step++) {
        const r = random();
        const key = `k${Math.floor(random() * 5)}`;
        const ts = wm + Math.floor(random() * 20);
        const mine = pending.get(key) ?? {};
        pending.set(key, mine);
        let v: string;
        if (r < 0.5) {
          const t = ts + Math.floor(random() * 50);
          const explicit = random() < 0.3;
          v = explicit ? `e@${t}<${ts}` : `e@${t}`;
          mine.e = { t, o: explicit ? ts : t };
        } else if (r < 0.6) {
          v = '-e';
          mine.e = undefined;
        } else if (r < 0.7) {
          v = `p@${now + 1 + Math.floor(random() * 30)}`;
          mine.p = { o: ts }; // a processing-time timer holds at the input's timestamp
        } else if (r < 0.85) {
          wm += Math.floor(random() * 30);
          await op.onWatermark(wm as Instant);
          await op.finishBundle();
          for (const m of pending.values()) if (m.e && m.e.t < wm) m.e = undefined;
          v = '';
        } else if (r < 0.93) {
          // A checkpoint and a fresh operator from it.
          const saved = op.snapshot();
          op = operator();
          op.restore(saved);
          v = '';
        } else {
          now += 40;
          await op.onProcessingTime(now as Instant);
          await op.finishBundle();
          for (const m of pending.values()) m.p = undefined;
          v = '';
        }
        if (v !== '') {
          await op.receive({ value: kv(key, v), timestamp: ts as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
          await op.finishBundle();
        }
        let expected = Infinity;
        for (const m of pending.values()) {
          if (m.e) expected = Math.min(expected, m.e.o);
          if (m.p) expected = Math.min(expected, m.p.o);
        }
        expect(op.hold()).toBe(expected === Infinity ? Instant.MAX : expected);
        steps++;
      }
    }
    expect(steps).toBe(960);
  });
});
