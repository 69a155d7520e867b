/**
 * A scope's user timers: one entry is kept without a Map (the common case of one timer family per
 * key), a second family or tag moves them into a Map; either way lookups, replacement, deletion
 * and the order a snapshot writes them in behave as one Map keyed by family and tag would.
 */
import { describe, expect, it } from 'vitest';
import { GlobalWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import type { Instant } from '../../sdk/time/instant.js';
import { EntryKind, Scope, TimerEntry } from '../../runners/exec/state/scope.js';

function scope(): Scope {
  return new Scope(0, 'k', [GlobalWindow.INSTANCE], true);
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

  it('keeps a window expiry (a window) or a state TTL (the global window) in one field, and its dropped mark apart', () => {
    const g = scope();
    const w = new IntervalWindow(0 as Instant, 10 as Instant);
    const ws = new Scope(1, 'k', [w], false);
    expect([g.window, g.global, ws.window, ws.global]).toEqual([GlobalWindow.INSTANCE, true, w, false]);
    const ttl = new TimerEntry(++seq, EntryKind.Ttl, g, 5, 5);
    const expiry = new TimerEntry(++seq, EntryKind.Expiry, ws, 9, 9);
    g.ttl = ttl;
    g.expiry = expiry; // a global scope has no expiry: ignored
    ws.expiry = expiry;
    ws.ttl = ttl; // a window's scope has no TTL: ignored
    expect([g.ttl, g.expiry, ws.expiry, ws.ttl]).toEqual([ttl, undefined, expiry, undefined]);
    expect([g.dropped, ws.dropped]).toEqual([false, false]);
    ws.dropped = true;
    expect([ws.dropped, ws.global, ws.expiry]).toEqual([true, false, expiry]);
    g.ttl = undefined;
    expect([g.ttl, g.global, g.dropped]).toEqual([undefined, true, false]);
  });
});
