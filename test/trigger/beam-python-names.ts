/**
 * The one place where Beam Python's names (as written in Beam's trigger_transcripts.yaml) map to
 * Tributary's API. Transcript times are integers; we read them as milliseconds.
 *
 *   FixedWindows(size[, offset])          → FixedWindows.of(size).withOffset(offset)
 *   SlidingWindows(size, period[, offset])→ SlidingWindows.of(size).every(period).withOffset(offset)
 *   Sessions(gap)                         → Sessions.withGapDuration(gap)
 *   GlobalWindows                         → GlobalWindows.of()
 *   CustomTimestampingFixedWindowsWindowFn(size)
 *                                         → FixedWindows whose output-time transform adds 100
 *                                           (Beam's test fn), see OUTPUT_AT_EARLIEST_TRANSFORMED
 *   Default / DefaultTrigger              → DefaultTrigger.of()
 *   AfterWatermark(early=, late=)         → AfterWatermark.pastEndOfWindow().withEarlyFirings().withLateFirings()
 *   AfterCount(n)                         → AfterCount.of(n)
 *   Repeatedly(t)                         → Repeatedly.forever(t)
 *   AfterAny(...) / AfterFirst(...)       → AfterFirst.of(...)
 *   AfterAll(...)                         → AfterAll.of(...)
 *   AfterEach(...)                        → AfterEach.inOrder(...)
 *   OrFinally(t, until)                   → t.orFinally(until)
 *   AfterProcessingTime(delay)            → AfterProcessingTime.pastFirstElementInPane().plusDelayOf(delay)
 *   Never / _Never                        → Never.ever()
 *   OUTPUT_AT_EOW / _EARLIEST / _LATEST   → 'END_OF_WINDOW' / 'EARLIEST' / 'LATEST'
 *   OUTPUT_AT_EARLIEST_TRANSFORMED        → Python-SDK-only combiner (not in Beam's proto enum):
 *                                           EARLIEST over timestamps passed through the window
 *                                           fn's output-time transform; the harness applies the
 *                                           transform to the timestamp it hands the reducer
 *   accumulation_mode: accumulating|discarding → 'ACCUMULATING' | 'DISCARDING'
 */
import { Duration, Instant } from '../../sdk/time/instant.js';
import {
  AfterAll,
  AfterCount,
  AfterEach,
  AfterFirst,
  AfterProcessingTime,
  AfterWatermark,
  DefaultTrigger,
  Never,
  Repeatedly,
  type Trigger,
} from '../../sdk/trigger/index.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { FixedWindows } from '../../sdk/window/fixed.js';
import { GlobalWindows } from '../../sdk/window/global.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { SlidingWindows } from '../../sdk/window/sliding.js';
import type { WindowFn } from '../../sdk/window/window-fn.js';
import type { AccumulationMode, TimestampCombiner } from '../../sdk/window/windowing-strategy.js';

/** Beam Python's test window fn: fixed windows whose transformed output time is t + 100. */
export class CustomTimestampingFixedWindows extends FixedWindows {
  static ofSize(size: Duration): CustomTimestampingFixedWindows {
    return new CustomTimestampingFixedWindows(size, Duration.ZERO);
  }
  transformOutputTime(t: Instant, _window: BoundedWindow): Instant {
    return (t + 100) as Instant;
  }
}

type Value = number | number[] | Trigger | WindowFn<BoundedWindow> | Ctor;
type Ctor = { ctor: (args: Value[], kw: Record<string, Value>) => Value; bare?: () => Value };

const ms = (v: Value) => Duration.millis(v as number);

const WINDOW_FNS: Record<string, Ctor> = {
  FixedWindows: { ctor: ([size, offset]) => FixedWindows.of(ms(size!)).withOffset(ms(offset ?? 0)) },
  SlidingWindows: {
    ctor: ([size, period, offset]) => SlidingWindows.of(ms(size!)).every(ms(period!)).withOffset(ms(offset ?? 0)),
  },
  Sessions: { ctor: ([gap]) => Sessions.withGapDuration(ms(gap!)) },
  GlobalWindows: { ctor: () => GlobalWindows.of(), bare: () => GlobalWindows.of() },
  CustomTimestampingFixedWindowsWindowFn: { ctor: ([size]) => CustomTimestampingFixedWindows.ofSize(ms(size!)) },
};

const TRIGGERS: Record<string, Ctor> = {
  Default: { ctor: () => DefaultTrigger.of(), bare: () => DefaultTrigger.of() },
  DefaultTrigger: { ctor: () => DefaultTrigger.of(), bare: () => DefaultTrigger.of() },
  AfterWatermark: {
    ctor: (_a, kw) => {
      let t = AfterWatermark.pastEndOfWindow();
      if (kw['early']) t = t.withEarlyFirings(kw['early'] as Trigger);
      if (kw['late']) t = t.withLateFirings(kw['late'] as Trigger);
      return t;
    },
  },
  AfterCount: { ctor: ([n]) => AfterCount.of(n as number) },
  Repeatedly: { ctor: ([t]) => Repeatedly.forever(t as Trigger) },
  AfterAny: { ctor: (ts) => AfterFirst.of(...(ts as Trigger[])) },
  AfterFirst: { ctor: (ts) => AfterFirst.of(...(ts as Trigger[])) },
  AfterAll: { ctor: (ts) => AfterAll.of(...(ts as Trigger[])) },
  AfterEach: { ctor: (ts) => AfterEach.inOrder(...(ts as Trigger[])) },
  OrFinally: { ctor: ([t, until]) => (t as Trigger).orFinally(until as Trigger) },
  AfterProcessingTime: {
    ctor: ([d]) => AfterProcessingTime.pastFirstElementInPane().plusDelayOf(ms(d ?? 0)),
  },
  Never: { ctor: () => Never.ever(), bare: () => Never.ever() },
  _Never: { ctor: () => Never.ever(), bare: () => Never.ever() },
};

export const TIMESTAMP_COMBINERS: Record<string, TimestampCombiner | 'EARLIEST_TRANSFORMED'> = {
  OUTPUT_AT_EOW: 'END_OF_WINDOW',
  OUTPUT_AT_EARLIEST: 'EARLIEST',
  OUTPUT_AT_LATEST: 'LATEST',
  OUTPUT_AT_EARLIEST_TRANSFORMED: 'EARLIEST_TRANSFORMED',
};

export function accumulationMode(name: string | undefined): AccumulationMode {
  const n = (name ?? 'accumulating').toUpperCase();
  if (n !== 'ACCUMULATING' && n !== 'DISCARDING') throw new Error(`unknown accumulation_mode ${name}`);
  return n;
}

/** Splits "a, b(c, d), e=[1, 2]" at top-level commas. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if ('([{'.includes(c)) depth++;
    else if (')]}'.includes(c)) depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, i).trim());
      start = i + 1;
    }
  }
  const last = s.slice(start).trim();
  if (last) out.push(last);
  return out;
}

function parse(s: string, names: Record<string, Ctor>): Value {
  s = s.trim();
  if (s.startsWith('[')) return splitArgs(s.slice(1, -1)).map(Number);
  if (/^-?\d+$/.test(s)) return Number(s);
  const open = s.indexOf('(');
  const name = open < 0 ? s : s.slice(0, open).trim();
  const ctor = names[name];
  if (!ctor) throw new Error(`unknown Beam Python name "${name}"`);
  if (open < 0) {
    if (!ctor.bare) return ctor.ctor([], {});
    return ctor.bare();
  }
  if (!s.endsWith(')')) throw new Error(`malformed call "${s}"`);
  const args: Value[] = [];
  const kw: Record<string, Value> = {};
  for (const a of splitArgs(s.slice(open + 1, -1))) {
    const eq = a.search(/=(?![^(]*\))/);
    const m = /^([A-Za-z_]\w*)\s*=(.*)$/s.exec(a);
    if (m && eq >= 0) kw[m[1]!] = parse(m[2]!, names);
    else args.push(parse(a, names));
  }
  return ctor.ctor(args, kw);
}

export function windowFnFromPython(s: string | undefined): WindowFn<BoundedWindow> {
  return parse(s ?? 'GlobalWindows', WINDOW_FNS) as WindowFn<BoundedWindow>;
}

export function triggerFromPython(s: string | undefined): Trigger {
  return parse(s ?? 'Default', TRIGGERS) as Trigger;
}
