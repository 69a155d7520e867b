/**
 * A scope's user timers: one entry is kept without a Map (the common case of one timer family per
 * key), a second family or tag moves them into a Map; either way lookups, replacement, deletion
 * and the order a snapshot writes them in behave as one Map keyed by family and tag would.
 */
import { describe, expect, it } from 'vitest';
import { GlobalWindow } from '../../sdk/window/bounded-window.js';
import { EntryKind, Scope, TimerEntry } from '../../runners/exec/state/scope.js';

function scope(): Scope {
  return new Scope(0, 'k', 'k', GlobalWindow.INSTANCE, [GlobalWindow.INSTANCE], true);
}
let seq = 0;
function entry(s: Scope, family: string, tag = ''): TimerEntry {
  return new TimerEntry(++seq, EntryKind.User, s, 10, 10, family, tag, 'EVENT_TIME');
}
const names = (s: Scope) => s.timerEntries().map((e) => `${e.family}/${e.tag}`);

describe('Scope user timers', () => {
  it('holds one timer, replaces it by family and tag, and forgets it', () => {
    const s = scope();
    expect(s.hasTimers()).toBe(false);
    expect(s.timerEntries()).toEqual([]);
    const a = entry(s, 'close');
    s.putTimer(a);
    expect(s.hasTimers()).toBe(true);
    expect(s.timer('close', '')).toBe(a);
    expect(s.timer('close', 'x')).toBeUndefined();
    expect(s.timer('other', '')).toBeUndefined();
    const b = entry(s, 'close');
    s.putTimer(b);
    expect(s.timerEntries()).toEqual([b]);
    s.deleteTimer('other', '');
    expect(s.timer('close', '')).toBe(b);
    s.deleteTimer('close', '');
    expect(s.hasTimers()).toBe(false);
    expect(s.timer('close', '')).toBeUndefined();
  });

  it('keeps several families and tags apart, in the order they were first set', () => {
    const s = scope();
    const a = entry(s, 'close');
    const b = entry(s, 'close', 't1');
    const c = entry(s, 'flush');
    s.putTimer(a);
    s.putTimer(b);
    s.putTimer(c);
    expect(names(s)).toEqual(['close/', 'close/t1', 'flush/']);
    expect(s.timer('close', 't1')).toBe(b);
    const a2 = entry(s, 'close');
    s.putTimer(a2);
    expect(names(s)).toEqual(['close/', 'close/t1', 'flush/']);
    expect(s.timer('close', '')).toBe(a2);
    s.deleteTimer('close', '');
    s.putTimer(a);
    expect(names(s)).toEqual(['close/t1', 'flush/', 'close/']);
    s.deleteTimer('close', 't1');
    s.deleteTimer('flush', '');
    s.deleteTimer('close', '');
    expect(s.hasTimers()).toBe(false);
    expect(s.timerEntries()).toEqual([]);
    s.clearTimers();
    expect(s.hasTimers()).toBe(false);
  });
});
