/** Table tests of the pure lockstep planner (KAPPA.md rules 4, 6 and 7), with no I/O. */
import { describe, expect, it } from 'vitest';
import { planSteps, ReplayPlanError, type Step } from '../../io/kappa/index.js';
import { readInterval } from '../../io/kappa/steps.js';
import { intervalEnd, type Granularity } from '../../io/warehouse/layout.js';
import type { Partition } from '../../io/warehouse/partitions.js';
import { DAY, HOUR, fmt, t } from './harness.js';

function part(start: number, granularity: Granularity, end = intervalEnd(start, granularity)): Partition {
  const d = new Date(start).toISOString();
  const label = granularity === 'hour' ? `dt=${d.slice(0, 10)}/hr=${d.slice(11, 13)}` : `dt=${d.slice(0, 10)}`;
  return { start, end, granularity, label, path: `/t/${label}/`, files: [], missing: false, empty: true };
}
const hours = (from: string, n: number) => Array.from({ length: n }, (_, i) => part(t(from) + i * HOUR, 'hour'));
const days = (from: string, n: number) => Array.from({ length: n }, (_, i) => part(t(from) + i * DAY, 'day'));

/** A step as `[start,end) wm=W  a:labels | b:labels`, for table comparison. */
function show(steps: Step[]): string[] {
  return steps.map(
    (s) =>
      `[${fmt(s.start)},${fmt(s.end)}) wm=${s.watermark === undefined ? '-' : fmt(s.watermark)}  ` +
      [...s.partitions].map(([name, ps]) => `${name}:${ps.map((p) => p.label.replace('dt=2024-01-', '')).join(',')}`).join(' | '),
  );
}

describe('planSteps', () => {
  it('hourly only: one step per hour, watermark at each hour end', () => {
    const steps = planSteps([{ name: 'a', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: 0 }]);
    expect(show(steps)).toEqual([
      '[00:00,01:00) wm=01:00  a:01/hr=00',
      '[01:00,02:00) wm=02:00  a:01/hr=01',
      '[02:00,03:00) wm=03:00  a:01/hr=02',
    ]);
    expect(steps.map((s) => s.index)).toEqual([0, 1, 2]);
  });

  it('orders partitions chronologically whatever order they are given in', () => {
    const ps = hours('00:00', 3);
    const steps = planSteps([{ name: 'a', granularity: 'hour', partitions: [ps[2]!, ps[0]!, ps[1]!], backwardSkew: 0 }]);
    expect(steps.map((s) => s.start)).toEqual([t('00:00'), t('01:00'), t('02:00')]);
  });

  it('daily + hourly: steps are days, hourly partitions nest in them oldest first, watermarks at day ends', () => {
    const hourly = [...hours('22:00', 4)].reverse(); // 01/hr=22, 23, 02/hr=00, 01 given newest first
    const steps = planSteps([
      { name: 'd', granularity: 'day', partitions: days('00:00', 2), backwardSkew: 0 },
      { name: 'h', granularity: 'hour', partitions: hourly, backwardSkew: 0 },
    ]);
    expect(show(steps)).toEqual([
      '[00:00,2024-01-02T00:00:00.000Z) wm=2024-01-02T00:00:00.000Z  d:01 | h:01/hr=22,01/hr=23',
      '[2024-01-02T00:00:00.000Z,2024-01-03T00:00:00.000Z) wm=2024-01-03T00:00:00.000Z  d:02 | h:02/hr=00,02/hr=01',
    ]);
  });

  it('a day with partitions of only one source still is a step of the whole group (the other has none)', () => {
    const steps = planSteps([
      { name: 'd', granularity: 'day', partitions: days('00:00', 1), backwardSkew: 0 },
      { name: 'h', granularity: 'hour', partitions: hours('2024-01-02 03:00', 1), backwardSkew: 0 },
    ]);
    expect(show(steps)).toEqual([
      '[00:00,2024-01-02T00:00:00.000Z) wm=2024-01-02T00:00:00.000Z  d:01 | h:',
      '[2024-01-02T00:00:00.000Z,2024-01-03T00:00:00.000Z) wm=2024-01-03T00:00:00.000Z  d: | h:02/hr=03',
    ]);
  });

  it('backward skew B: W = E_k − B, with the largest B of the group', () => {
    const steps = planSteps([
      { name: 'a', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: 10 * 60_000 },
      { name: 'b', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: 30 * 60_000 },
    ]);
    expect(steps.map((s) => (s.watermark === undefined ? '-' : fmt(s.watermark)))).toEqual(['00:30', '01:30', '02:30']);
  });

  it('backward skew larger than a step: watermarks still monotone, the first ones before the data', () => {
    const steps = planSteps([{ name: 'a', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: 90 * 60_000 }]);
    expect(steps.map((s) => s.watermark)).toEqual([t('00:00') - 30 * 60_000, t('00:30'), t('01:30')]);
  });

  it('range `to` caps W; steps whose capped watermark would not move emit none', () => {
    // range [00:00, 01:30) with B = 1h: partitions hr=00..hr=02 are read
    const steps = planSteps([{ name: 'a', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: HOUR }], { from: t('00:00'), to: t('01:30') });
    expect(steps.map((s) => (s.watermark === undefined ? '-' : fmt(s.watermark)))).toEqual(['00:00', '01:00', '01:30']);
    const steps2 = planSteps([{ name: 'a', granularity: 'hour', partitions: hours('00:00', 3), backwardSkew: 0 }], { from: t('00:00'), to: t('01:30') });
    expect(steps2.map((s) => (s.watermark === undefined ? '-' : fmt(s.watermark)))).toEqual(['01:00', '01:30', '-']);
  });

  it('watermarks are strictly increasing across the steps that emit one', () => {
    const steps = planSteps(
      [
        { name: 'd', granularity: 'day', partitions: days('00:00', 3), backwardSkew: 2 * HOUR },
        { name: 'h', granularity: 'hour', partitions: hours('05:00', 60), backwardSkew: 0 },
      ],
      { from: t('00:00'), to: t('2024-01-02 12:00') },
    );
    const ws = steps.map((s) => s.watermark).filter((w): w is number => w !== undefined);
    expect(ws).toEqual([t('2024-01-01 22:00'), t('2024-01-02 12:00')]);
    expect(steps).toHaveLength(3);
  });

  it('rejects layouts that do not nest, naming the source, the partition and the way out', () => {
    // a "daily" partition starting at noon crosses the day steps' boundary
    const bad = part(t('12:00'), 'day');
    expect(() =>
      planSteps([
        { name: 'hourly', granularity: 'hour', partitions: hours('00:00', 2), backwardSkew: 0 },
        { name: 'shifted', granularity: 'day', partitions: [bad], backwardSkew: 0 },
      ]),
    ).toThrow(ReplayPlanError);
    expect(() => planSteps([{ name: 'shifted', granularity: 'day', partitions: [bad], backwardSkew: 0 }])).toThrow(
      /source "shifted": partition dt=2024-01-01 \[2024-01-01T12:00:00.000Z, 2024-01-02T12:00:00.000Z\) crosses a step boundary.*must nest/,
    );
  });

  it('no sources, or sources without partitions: no steps', () => {
    expect(planSteps([])).toEqual([]);
    expect(planSteps([{ name: 'a', granularity: 'hour', partitions: [], backwardSkew: 0 }])).toEqual([]);
  });

  it('readInterval is [from − F, to + B)', () => {
    expect(readInterval({ from: t('01:00'), to: t('03:00') }, 15 * 60_000, 30 * 60_000)).toEqual({ start: t('00:45'), end: t('03:30') });
  });
});
