import { describe, expect, it } from 'vitest';
import { compileTemplate, hive, intervalsIn, labelFor, parseDate, parseHive, parseHour, parseTemplate, template } from '../../io/warehouse/index.js';

const H = 3_600_000;
const D = 86_400_000;
const T = (iso: string) => Date.parse(`${iso}Z`);

describe('hive paths', () => {
  it.each([
    ['dt=2024-01-01/hr=05/f.parquet', T('2024-01-01T05:00:00'), T('2024-01-01T06:00:00'), 'hour', 'dt=2024-01-01/hr=05'],
    ['dt=2024-01-01/hr=9/f.parquet', T('2024-01-01T09:00:00'), T('2024-01-01T10:00:00'), 'hour', 'dt=2024-01-01/hr=9'],
    ['dt=2024-01-01/hr=09/f.parquet', T('2024-01-01T09:00:00'), T('2024-01-01T10:00:00'), 'hour', 'dt=2024-01-01/hr=09'],
    ['dt=2024-01-01/hr=23/f.parquet', T('2024-01-01T23:00:00'), T('2024-01-02T00:00:00'), 'hour', 'dt=2024-01-01/hr=23'],
    ['dt=2024-02-29/f.parquet', T('2024-02-29T00:00:00'), T('2024-03-01T00:00:00'), 'day', 'dt=2024-02-29'],
    ['dt=2024-1-2/f.parquet', T('2024-01-02T00:00:00'), T('2024-01-03T00:00:00'), 'day', 'dt=2024-1-2'],
  ])('%s', (path, start, end, granularity, label) => {
    expect(parseHive(path.split('/'), hive())).toMatchObject({ start, end, granularity, label });
  });

  it.each([
    ['dt=2024-01-01/hr=24/f.parquet'],
    ['dt=2023-02-29/f.parquet'],
    ['dt=2024-13-01/f.parquet'],
    ['dt=yesterday/f.parquet'],
    ['date=2024-01-01/f.parquet'],
    ['dt=2024-01-01/hr=x/f.parquet'],
    ['f.parquet'],
  ])('rejects %s', (path) => {
    const key = parseHive(path.split('/'), hive());
    // an invalid hour under a valid date is not an hourly partition
    expect(key === undefined || key.granularity === 'day').toBe(true);
    expect(parseHive(path.split('/'), hive({ granularity: 'hour' }))).toBeUndefined();
  });

  it('honours custom keys', () => {
    expect(parseHive(['date=2024-01-01', 'hour=7', 'x'], hive({ dateKey: 'date', hourKey: 'hour' }))?.start).toBe(T('2024-01-01T07:00:00'));
  });

  it('parses hours and dates as numbers', () => {
    expect([parseHour('9'), parseHour('09'), parseHour('009'), parseHour('24')]).toEqual([9, 9, undefined, undefined]);
    expect(parseDate('2024-01-31')).toBe(T('2024-01-31T00:00:00'));
    expect(parseDate('2024-02-30')).toBeUndefined();
  });
});

describe('path templates', () => {
  it.each([
    ['{yyyy}/{MM}/{dd}/{HH}', '2024/01/01/05/f.parquet', T('2024-01-01T05:00:00'), H, 'hour'],
    ['{yyyy}/{MM}/{dd}/{HH}', '2024/1/1/5/f.parquet', T('2024-01-01T05:00:00'), H, 'hour'],
    ['{yyyy}/{MM}/{dd}', '2024/12/31/f.parquet', T('2024-12-31T00:00:00'), D, 'day'],
    ['year={yyyy}/month={MM}/day={dd}', 'year=2024/month=03/day=10/f.parquet', T('2024-03-10T00:00:00'), D, 'day'],
    ['{yyyy}-{MM}-{dd}/{HH}', '2024-03-10/23/f.parquet', T('2024-03-10T23:00:00'), H, 'hour'],
    ['{yyyy}/{MM}/{dd}/{HH}/{mm}', '2024/03/10/23/15/f.parquet', T('2024-03-10T23:15:00'), 60_000, 'minute'],
  ])('%s matches %s', (t, path, start, length, granularity) => {
    const key = parseTemplate(path.split('/'), compileTemplate(t));
    expect(key).toMatchObject({ start, granularity });
    expect(key!.end - key!.start).toBe(length);
  });

  it('has month-long partitions for {yyyy}/{MM}', () => {
    const key = parseTemplate(['2024', '02', 'f'], compileTemplate('{yyyy}/{MM}'));
    expect([key!.start, key!.end]).toEqual([T('2024-02-01T00:00:00'), T('2024-03-01T00:00:00')]);
  });

  it.each([['2024/13/01/00/f'], ['2024/02/30/00/f'], ['2024/01/01/24/f'], ['2024/01/x/00/f'], ['2024/01/01']])('rejects %s', (path) => {
    expect(parseTemplate(path.split('/'), compileTemplate('{yyyy}/{MM}/{dd}/{HH}'))).toBeUndefined();
  });

  it('rejects bad templates with a clear message', () => {
    expect(() => compileTemplate('{yyyy}/{dd}')).toThrow('path template "{yyyy}/{dd}": {MM} is missing before a finer field');
    expect(() => compileTemplate('{yyyy}/{week}')).toThrow('path template "{yyyy}/{week}": unknown field {week} (use {yyyy}, {MM}, {dd}, {HH}, {mm})');
  });
});

describe('intervals', () => {
  it('lists every interval intersecting a range', () => {
    expect(intervalsIn(T('2024-01-01T01:30:00'), T('2024-01-01T03:00:00'), 'hour')).toEqual([T('2024-01-01T01:00:00'), T('2024-01-01T02:00:00')]);
    expect(intervalsIn(T('2024-01-01T00:00:00'), T('2024-01-01T00:00:00'), 'hour')).toEqual([]);
    expect(intervalsIn(T('2024-01-30T12:00:00'), T('2024-02-01T00:00:01'), 'day')).toEqual([T('2024-01-30T00:00:00'), T('2024-01-31T00:00:00'), T('2024-02-01T00:00:00')]);
  });

  it('labels intervals in the layout form', () => {
    expect(labelFor(T('2024-01-01T05:00:00'), hive(), 'hour')).toBe('dt=2024-01-01/hr=05');
    expect(labelFor(T('2024-01-01T00:00:00'), hive(), 'day')).toBe('dt=2024-01-01');
    expect(labelFor(T('2024-01-01T05:00:00'), template('{yyyy}/{MM}/{dd}/{HH}'), 'hour')).toBe('2024/01/01/05');
  });
});
