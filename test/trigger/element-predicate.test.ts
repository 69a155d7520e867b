/**
 * The driving-score talk's EarlyResultEventTimeTrigger (seeds/000): per user, sessions with a
 * 1-hour gap; when the trip's `end` message arrives, the session fires early once the watermark
 * passes the end message's timestamp, and still fires on time when the session closes. Both
 * out-of-order cases of the talk: a straggler `c` (timestamped before `end`) arriving before the
 * early firing, and after it.
 */
import { describe, expect, it } from 'vitest';
import { Duration, Instant } from '../../sdk/time/instant.js';
import type { PaneInfo } from '../../sdk/values/pane.js';
import { IntervalWindow, type BoundedWindow } from '../../sdk/window/bounded-window.js';
import { Sessions } from '../../sdk/window/sessions.js';
import { WindowingStrategy } from '../../sdk/window/windowing-strategy.js';
import { AfterElementMatches, AfterWatermark, EarlyResultEventTimeTrigger, Repeatedly } from '../../sdk/trigger/index.js';
import type { Trigger } from '../../sdk/trigger/trigger.js';
import { KeyedWindowReducer, type Aggregation } from '../../runners/exec/windowing/keyed-window-reducer.js';

interface Msg {
  id: string;
  type: 'gps' | 'end';
}
const MIN = 60_000;
const m = (n: number) => Instant.ofEpochMillis(n * MIN);
const isEnd = (v: Msg) => v.type === 'end';

const IDS: Aggregation<Msg, string[], string> = {
  create: () => [],
  add: (a, v) => (a.push(v.id), a),
  merge: (accs) => accs.flat(),
  extract: (a) => [...a].sort().join(''),
};

function run(trigger: Trigger, accumulationMode: 'ACCUMULATING' | 'DISCARDING' = 'ACCUMULATING') {
  const fn = Sessions.withGapDuration(Duration.hours(1));
  const out: Array<[string, string, string, number]> = [];
  const r = new KeyedWindowReducer<string, Msg, string[], string>({
    strategy: WindowingStrategy.of(fn, { trigger, accumulationMode }),
    aggregation: IDS,
    emit: (_k, ids, _ts, w: BoundedWindow, p: PaneInfo) => {
      const iw = w as IntervalWindow;
      out.push([ids, p.timing, `${iw.start / MIN}-${iw.end / MIN}`, p.index]);
    },
  });
  const api = {
    r,
    send(id: string, minute: number, type: Msg['type'] = 'gps') {
      r.processElement('u1', 'u1', { id, type }, m(minute), fn.assignWindows(m(minute)));
      r.finishBundle();
      return api;
    },
    wm(minute: number) {
      r.advanceInputWatermark(m(minute));
      return api;
    },
    take() {
      return out.splice(0);
    },
  };
  return api;
}

const talkTrigger = EarlyResultEventTimeTrigger.of(isEnd, 'isEnd');

describe('EarlyResultEventTimeTrigger (AfterElementMatches as early firing)', () => {
  it('case 1: the straggler arrives before the early timer expires — it is in the early result', () => {
    const s = run(talkTrigger);
    s.send('a', 0).send('b', 10).send('e', 12, 'end');
    s.wm(11);
    expect(s.take()).toEqual([]);
    s.send('c', 11); // out of order, before the watermark passes e's timestamp
    s.wm(12);
    expect(s.take()).toEqual([]); // passes means > 12
    s.wm(13);
    expect(s.take()).toEqual([['abce', 'EARLY', '0-72', 0]]);
    s.wm(71);
    expect(s.take()).toEqual([]);
    s.wm(72);
    expect(s.take()).toEqual([['abce', 'ON_TIME', '0-72', 1]]);
  });

  it('case 2: the straggler arrives after the early firing — it reaches the ON_TIME pane', () => {
    const s = run(talkTrigger);
    s.send('a', 0).send('b', 10).send('e', 12, 'end');
    s.wm(13);
    expect(s.take()).toEqual([['abe', 'EARLY', '0-72', 0]]);
    s.send('c', 11); // behind the watermark but not late for the session
    expect(s.take()).toEqual([]); // c does not match: no new early firing
    s.wm(72);
    expect(s.take()).toEqual([['abce', 'ON_TIME', '0-72', 1]]);
  });

  it('case 2, discarding: the ON_TIME pane carries just the straggler', () => {
    const s = run(talkTrigger, 'DISCARDING');
    s.send('a', 0).send('e', 12, 'end').wm(13);
    expect(s.take()).toEqual([['ae', 'EARLY', '0-72', 0]]);
    s.send('c', 11).wm(80);
    expect(s.take()).toEqual([['c', 'ON_TIME', '0-72', 1]]);
  });

  it('one watermark jump past end messages and session ends fires what stepping through them fires, in time order', () => {
    const trips = (s: ReturnType<typeof run>) => s.send('a', 0).send('b', 10).send('e', 12, 'end').send('f', 100).send('g', 110, 'end');
    const stepped = trips(run(talkTrigger));
    for (let minute = 1; minute <= 300; minute++) stepped.wm(minute);
    const expected = [
      ['abe', 'EARLY', '0-72', 0],
      ['abe', 'ON_TIME', '0-72', 1],
      ['fg', 'EARLY', '100-170', 0],
      ['fg', 'ON_TIME', '100-170', 1],
    ];
    expect(stepped.take()).toEqual(expected);
    // A source that moves its watermark in one step (a quiet hour on a Kafka partition) gives
    // the same panes: each timer fires with the watermark just past it.
    const jumped = trips(run(talkTrigger)).wm(300);
    expect(jumped.take()).toEqual(expected);
    // The input ending is the exception: every session fires its last pane only, as in batch.
    const ended = trips(run(talkTrigger));
    ended.r.finish();
    expect(ended.take()).toEqual([
      ['abe', 'ON_TIME', '0-72', 0],
      ['fg', 'ON_TIME', '100-170', 0],
    ]);
  });

  it('an end message that is already behind the watermark fires at once', () => {
    const s = run(talkTrigger);
    s.send('a', 0).wm(30);
    s.send('e', 20, 'end');
    expect(s.take()).toEqual([['ae', 'EARLY', '0-80', 0]]);
  });

  it('two trips merged into one session fire early for each end message', () => {
    const s = run(talkTrigger);
    s.send('a', 0).send('e', 5, 'end').send('b', 30).send('f', 40, 'end');
    s.wm(6);
    expect(s.take()).toEqual([['abef', 'EARLY', '0-100', 0]]);
    s.send('c', 35);
    s.wm(41);
    expect(s.take()).toEqual([['abcef', 'EARLY', '0-100', 1]]);
    s.wm(41 + 60);
    expect(s.take()).toEqual([['abcef', 'ON_TIME', '0-100', 2]]);
  });

  it('an end message in another session merged in later keeps its early timer', () => {
    const s = run(talkTrigger);
    s.send('e', 50, 'end'); // session [50,110)
    s.send('a', 0); // session [0,60) overlaps: merged [0,110)
    s.wm(51);
    expect(s.take()).toEqual([['ae', 'EARLY', '0-110', 0]]);
  });

  it('no early firing without a matching element', () => {
    const s = run(talkTrigger);
    s.send('a', 0).send('b', 10).wm(69);
    expect(s.take()).toEqual([]);
    s.wm(70);
    expect(s.take()).toEqual([['ab', 'ON_TIME', '0-70', 0]]);
  });

  it('is composable: Repeatedly(AfterElementMatches) without the watermark', () => {
    const s = run(Repeatedly.forever(AfterElementMatches.of(isEnd, 'isEnd')));
    s.send('a', 0).send('e', 5, 'end').wm(6);
    expect(s.take()).toEqual([['ae', 'EARLY', '0-65', 0]]);
    expect(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterElementMatches.of(isEnd, 'isEnd')).toString()).toBe(
      talkTrigger.toString(),
    );
  });
});
