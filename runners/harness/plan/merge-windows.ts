/**
 * Merge windows (`beam:transform:merge_windows:v1`): a runner that groups by key under a merging
 * window fn (sessions, or a custom merging fn it cannot evaluate) asks the SDK which windows
 * merge. Input: KV(nonce, windows); output: KV(nonce, KV(windows left unmerged,
 * [KV(merged window, the windows merged into it)])). The merge is the window fn's own.
 */
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import type { WindowFn } from '../../../sdk/window/window-fn.js';
import { kv, type KV } from '../../../sdk/values/kv.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import type { Delivery, Receiver } from '../../exec/unit.js';
import { userCodeError } from '../../exec/lifecycle.js';
import type { HarnessUnit } from './context.js';

export class MergeWindowsUnit implements HarnessUnit {
  constructor(
    readonly name: string,
    private readonly windowFn: WindowFn<BoundedWindow>,
    private readonly output: Receiver,
  ) {}

  receive(wv: WindowedValue<unknown>): Delivery {
    const { key: nonce, value } = wv.value as KV<unknown, Iterable<BoundedWindow>>;
    const windows = [...value];
    let merges;
    try {
      merges = this.windowFn.mergeWindows(windows);
    } catch (e) {
      throw userCodeError(this.name, 'mergeWindows', e);
    }
    const merged = new Set<string>();
    for (const m of merges) for (const w of m.toMerge) merged.add(w.id);
    const unmerged = windows.filter((w) => !merged.has(w.id));
    const result = kv(nonce, kv(unmerged, merges.map((m) => kv(m.result, [...m.toMerge]))));
    return this.output.receive({ ...wv, value: result });
  }
}
