/** Merge windows (the runner asks the SDK which windows of a key merge), as a unit alone. */
import { describe, expect, it } from 'vitest';
import { MergeWindowsUnit } from '../../runners/harness/plan/merge-windows.js';
import type { Receiver } from '../../runners/exec/unit.js';
import { Duration, Instant, kv, type KV } from '../../sdk/index.js';
import { IntervalWindow } from '../../sdk/window/bounded-window.js';
import { GLOBAL_WINDOWS } from '../../sdk/window/bounded-window.js';
import { NO_FIRING } from '../../sdk/values/pane.js';
import { Sessions } from '../../sdk/window/sessions.js';
import type { WindowedValue } from '../../sdk/values/windowed-value.js';

const w = (a: number, b: number) => new IntervalWindow(a as Instant, b as Instant);

describe('merge windows unit', () => {
  it('answers KV(nonce, KV(unmerged windows, [KV(merged, originals)])) with the window fn\'s own merge', () => {
    const got: WindowedValue<unknown>[] = [];
    const out: Receiver = { receive: (wv) => void got.push(wv) };
    const unit = new MergeWindowsUnit('Merge', Sessions.withGapDuration(Duration.seconds(10)), out);
    unit.receive({ value: kv('nonce-1', [w(0, 10_000), w(5_000, 15_000), w(40_000, 50_000)]), timestamp: 0 as Instant, windows: GLOBAL_WINDOWS, pane: NO_FIRING });
    const r = got[0]!.value as KV<string, KV<IntervalWindow[], KV<IntervalWindow, IntervalWindow[]>[]>>;
    expect(r.key).toBe('nonce-1');
    expect(r.value.key.map(String)).toEqual([String(w(40_000, 50_000))]);
    expect(r.value.value.map((m) => [String(m.key), m.value.map(String)])).toEqual([[String(w(0, 15_000)), [String(w(0, 10_000)), String(w(5_000, 15_000))]]]);
  });
});
