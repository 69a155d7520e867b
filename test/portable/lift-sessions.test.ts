/** Lifting a combine under sessions, for runners whose workers pre-merge sessions (lift.ts). */
import { describe, expect, it } from 'vitest';
import { liftCombines } from '../../runners/portable/lift.js';
import { sessionsInWorkers } from '../../runners/flink/execution-mode.js';
import { AfterCount, AfterWatermark, Combine, Create, Duration, Instant, Pipeline, Sessions, Window, kv, type KV } from '../../sdk/index.js';
import { SumFn } from '../../sdk/transforms/combiners.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { URN } from '../../sdk/urns.js';

function sessionSum(window: (w: Window<KV<string, number>>) => Window<KV<string, number>> = (w) => w) {
  const p = new Pipeline();
  p.apply(Create.timestamped([0, 1, 5, 60, 61].map((m) => ({ value: kv('k', 1), timestamp: Instant.ofEpochMillis(m * 60_000) }))))
    .apply(window(Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(10)))))
    .apply('SumPerSession', Combine.perKey<string, number, number>(SumFn));
  return toPortable(p).proto;
}

const urns = (proto: ReturnType<typeof sessionSum>, sessions: boolean) => {
  const { pipeline, lifted } = liftCombines(proto, { sessions });
  const t = pipeline.components!.transforms!;
  return { lifted, precombines: Object.values(t).filter((x) => x.spec?.urn === URN.COMBINE_PER_KEY_PRECOMBINE).length, composite: Object.values(t).some((x) => x.spec?.urn === URN.COMBINE_PER_KEY) };
};

describe('lifting under sessions', () => {
  it('lifts a combine under sessions with the default trigger when asked (the workers pre-merge)', () => {
    expect(urns(sessionSum(), true)).toEqual({ lifted: ['SumPerSession'], precombines: 1, composite: false });
    expect(urns(sessionSum(), false)).toEqual({ lifted: [], precombines: 0, composite: false });
  });

  it('leaves it unlifted where partial sessions would not give the same panes or timestamps', () => {
    const early = sessionSum((w) => w.triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(1))).discardingFiredPanes());
    expect(urns(early, true)).toEqual({ lifted: [], precombines: 0, composite: false });
    const latest = sessionSum((w) => w.withTimestampCombiner('LATEST'));
    expect(urns(latest, true)).toEqual({ lifted: [], precombines: 0, composite: false });
    expect(urns(sessionSum((w) => w.withTimestampCombiner('EARLIEST')), true).lifted).toEqual(['SumPerSession']);
  });

  it('the flink runner asks for it only where no element can be late (a bounded pipeline without reads, TestStream or early/late triggers)', () => {
    expect(sessionsInWorkers(sessionSum())).toBe(true);
    const early = sessionSum((w) => w.triggering(AfterWatermark.pastEndOfWindow().withEarlyFirings(AfterCount.of(1))).discardingFiredPanes());
    expect(sessionsInWorkers(early)).toBe(false);
  });
});
