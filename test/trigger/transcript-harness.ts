/**
 * Replays one of Beam's trigger transcripts (trigger_transcripts.yaml) directly against a
 * KeyedWindowReducer and checks the panes, with the rules of Beam's own harness
 * (`TriggerDriverTranscriptTest`):
 *
 * - `input`: one bundle of elements (value = timestamp), then the bundle is finished;
 *   `watermark`: the input watermark advances; `clock`: processing time advances;
 * - before any other action, and at the end, there must be no unchecked output
 *   ("Unexpected output");
 * - `expect`: every listed pane must match one produced pane on the attributes both have
 *   ("Unmatched output"); values compare as multisets; `window: [start, end-1]`;
 * - `state`: which windows are present / absent / tombstones (Beam's harness skips it; we check).
 *
 * Dialect: this copy of the file is the pre-2.0 one (`output_time_fn:`), whose Python SDK gave
 * end-of-window panes the timestamp `window.end`; Beam since gives them `window.maxTimestamp()`
 * (= end − 1), which is what we produce. So an expected timestamp equal to the pane window's end
 * denotes the end-of-window timestamp and is read as end − 1. (No element of a window can have
 * the timestamp `end`, so the rule is unambiguous.)
 *
 * Allowed lateness: Beam's harness feeds elements with the input watermark at −∞, so nothing is
 * ever dropped as too late; a transcript without `allowed_lateness` therefore runs with a
 * lateness longer than time itself. One given is honoured.
 */
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { GLOBAL_WINDOW_MAX, IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';
import {
  accumulationMode,
  CustomTimestampingFixedWindows,
  TIMESTAMP_COMBINERS,
  triggerFromPython,
  windowFnFromPython,
} from './beam-python-names.js';

export class TranscriptMismatch extends Error {
  override name = 'TranscriptMismatch';
}

export interface TranscriptSpec {
  name?: string;
  error?: string;
  window_fn?: string;
  trigger_fn?: string;
  output_time_fn?: string;
  timestamp_combiner?: string;
  accumulation_mode?: string;
  allowed_lateness?: number;
  transcript: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface ProducedPane {
  window: [number, number];
  values: number[];
  timestamp: number;
  index: number;
  nonspeculative_index: number;
  early: boolean;
  late: boolean;
  final: boolean;
}

export interface HarnessOptions {
  /** The pre-2.0 dialect: expected end-of-window timestamps are written as `window.end`. */
  legacyEndOfWindowTimestamps: boolean;
}

const LIST: Aggregation<number, number[], number[]> = {
  create: () => [],
  add: (a, v) => (a.push(v), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a],
};

function windowBounds(w: BoundedWindow): [number, number] {
  return w instanceof IntervalWindow ? [w.start, w.maxTimestamp()] : [Instant.MIN, GLOBAL_WINDOW_MAX];
}

function sameMultiset(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const x = [...a].sort((p, q) => p - q);
  const y = [...b].sort((p, q) => p - q);
  return x.every((v, i) => v === y[i]);
}

function matches(candidate: ProducedPane, expected: Record<string, unknown>, opts: HarnessOptions): boolean {
  for (const [k, want] of Object.entries(expected)) {
    if (!(k in candidate)) continue; // Beam compares only attributes both sides have
    const got = candidate[k as keyof ProducedPane];
    if (k === 'values') {
      if (!sameMultiset(got as number[], want as number[])) return false;
    } else if (k === 'window') {
      const [s, e] = want as number[];
      if (got[0 as never] !== s || got[1 as never] !== e) return false;
    } else if (k === 'timestamp') {
      let ts = want as number;
      if (opts.legacyEndOfWindowTimestamps && ts === candidate.window[1] + 1) ts -= 1;
      if (got !== ts) return false;
    } else if (got !== want) return false;
  }
  return true;
}

const fmt = (x: unknown) => JSON.stringify(x);

/** Runs one transcript; throws TranscriptMismatch ("Unmatched output" / "Unexpected output"). */
export function runTranscript(
  spec: TranscriptSpec,
  opts: HarnessOptions,
): { reducer: KeyedWindowReducer<string, number, number[], number[]>; emitted: ProducedPane[] } {
  const windowFn = windowFnFromPython(spec.window_fn);
  const combinerName = spec.output_time_fn ?? spec.timestamp_combiner ?? 'OUTPUT_AT_EOW';
  const combiner = TIMESTAMP_COMBINERS[combinerName];
  if (!combiner) throw new Error(`unknown timestamp combiner ${combinerName}`);
  const transformed = combiner === 'EARLIEST_TRANSFORMED';
  const strategy = WindowingStrategy.of(windowFn, {
    trigger: triggerFromPython(spec.trigger_fn),
    accumulationMode: accumulationMode(spec.accumulation_mode),
    timestampCombiner: transformed ? 'EARLIEST' : combiner,
    allowedLateness: Duration.millis(spec.allowed_lateness ?? GLOBAL_WINDOW_MAX),
  });
  let output: ProducedPane[] = [];
  /** Every pane in emission order, then those the end of input (watermark +∞) fires. */
  const emitted: ProducedPane[] = [];
  const reducer = new KeyedWindowReducer<string, number, number[], number[]>({
    strategy,
    aggregation: LIST,
    emit: (_key, values, timestamp, window, pane: PaneInfo) => {
      const produced: ProducedPane = {
        window: windowBounds(window),
        values: [...values].sort((a, b) => a - b),
        timestamp,
        index: pane.index,
        nonspeculative_index: pane.onTimeIndex,
        early: pane.timing === 'EARLY',
        late: pane.timing === 'LATE',
        final: pane.isLast,
      };
      output.push(produced);
      emitted.push(produced);
    },
  });

  for (const step of spec.transcript) {
    const entries = Object.entries(step);
    if (entries.length !== 1) throw new Error(`a transcript step must have one action: ${fmt(step)}`);
    const [action, params] = entries[0]!;
    if (action !== 'expect' && output.length > 0) {
      throw new TranscriptMismatch(`Unexpected output: ${fmt(output)} before ${action}: ${fmt(params)}`);
    }
    switch (action) {
      case 'input':
        for (const t of params as number[]) {
          const ts = Instant.ofEpochMillis(t);
          const windows = windowFn.assignWindows(ts, t);
          const holdTs =
            transformed && windowFn instanceof CustomTimestampingFixedWindows
              ? windowFn.transformOutputTime(ts, windows[0]!)
              : ts;
          reducer.processElement('k', 'k', t, holdTs, windows);
        }
        reducer.finishBundle();
        break;
      case 'watermark':
        reducer.advanceInputWatermark(Instant.ofEpochMillis(params as number));
        break;
      case 'clock':
        reducer.advanceProcessingTime(Instant.ofEpochMillis(params as number));
        break;
      case 'expect':
        for (const want of params as Array<Record<string, unknown>>) {
          const i = output.findIndex((c) => matches(c, want, opts));
          if (i < 0) throw new TranscriptMismatch(`Unmatched output ${fmt(want)} in ${fmt(output)}`);
          output.splice(i, 1);
        }
        break;
      case 'state': {
        const p = params as Record<string, number[][]>;
        for (const kind of ['present', 'absent', 'tombstone'] as const) {
          for (const [s, e] of p[kind] ?? []) {
            const got = reducer.windowState('k', new IntervalWindow(Instant.ofEpochMillis(s!), Instant.ofEpochMillis(e! + 1)));
            if (got !== kind) throw new TranscriptMismatch(`State mismatch: window [${s}, ${e}] is ${got}, expected ${kind}`);
          }
        }
        break;
      }
      default:
        throw new Error(`Unknown action: ${action}`);
    }
  }
  if (output.length > 0) throw new TranscriptMismatch(`Unexpected output: ${fmt(output)}`);
  reducer.advanceInputWatermark(Instant.MAX);
  reducer.finish();
  output = [];
  return { reducer, emitted };
}
