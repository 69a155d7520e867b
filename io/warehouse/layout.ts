/**
 * Pure parsing of warehouse partition paths (no I/O): Hive-style `dt=YYYY-MM-DD[/hr=H]` and path
 * templates such as `{yyyy}/{MM}/{dd}/{HH}`. Each partition is a half-open UTC interval
 * [start, end) in epoch milliseconds (KAPPA.md rule 2).
 */
import { TributaryError } from '../../sdk/errors.js';

/** A layout, template, key or file prefix that cannot name folders inside a table. */
export class WarehouseLayoutError extends TributaryError {}

export type Granularity = 'minute' | 'hour' | 'day' | 'month' | 'year';

export interface HiveLayout {
  kind: 'hive';
  /** Default: hourly when `hr=` folders exist, else daily. */
  granularity?: 'hour' | 'day';
  /** Default `dt`. */
  dateKey?: string;
  /** Default `hr`. */
  hourKey?: string;
}
export interface TemplateLayout {
  kind: 'template';
  template: string;
}
export type Layout = HiveLayout | TemplateLayout;

export const hive = (options: Omit<HiveLayout, 'kind'> = {}): HiveLayout => ({ kind: 'hive', ...options });
export const template = (t: string): TemplateLayout => ({ kind: 'template', template: t });

export interface PartitionKey {
  start: number;
  end: number;
  granularity: Granularity;
  /** The path components naming the partition, e.g. `dt=2024-01-01/hr=05` (as written on storage). */
  label: string;
  /** How many path components below the table root name the partition. */
  depth: number;
}

/** End of the interval of `granularity` that starts at `start`. */
export function intervalEnd(start: number, granularity: Granularity): number {
  const d = new Date(start);
  switch (granularity) {
    case 'minute':
      return start + 60_000;
    case 'hour':
      return start + 3_600_000;
    case 'day':
      return start + 86_400_000;
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear() + 1, 0, 1);
  }
}

/** Start of the interval of `granularity` that contains `t`. */
export function intervalStart(t: number, granularity: Granularity): number {
  const d = new Date(t);
  switch (granularity) {
    case 'minute':
      return t - (((t % 60_000) + 60_000) % 60_000);
    case 'hour':
      return t - (((t % 3_600_000) + 3_600_000) % 3_600_000);
    case 'day':
      return t - (((t % 86_400_000) + 86_400_000) % 86_400_000);
    case 'month':
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'year':
      return Date.UTC(d.getUTCFullYear(), 0, 1);
  }
}

/** Starts of every interval of `granularity` that intersects [from, to). */
export function intervalsIn(from: number, to: number, granularity: Granularity): number[] {
  const out: number[] = [];
  for (let s = intervalStart(from, granularity); s < to; s = intervalEnd(s, granularity)) out.push(s);
  return out;
}

function validDate(y: number, m: number, d: number): number | undefined {
  if (!(m >= 1 && m <= 12 && d >= 1 && d <= 31 && y >= 0 && y <= 9999)) return undefined;
  const t = Date.UTC(y, m - 1, d);
  const back = new Date(t);
  return back.getUTCMonth() === m - 1 && back.getUTCDate() === d ? t : undefined;
}

const INT = /^\d{1,4}$/;

/** `2024-01-01` (also `2024-1-1`) → epoch ms at 00:00 UTC, or undefined. */
export function parseDate(value: string): number | undefined {
  const m = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  if (!m) return undefined;
  return validDate(Number(m[1]), Number(m[2]), Number(m[3]));
}

/** `5`, `05` → 5; anything outside 0..23 → undefined. */
export function parseHour(value: string): number | undefined {
  if (!/^\d{1,2}$/.test(value)) return undefined;
  const h = Number(value);
  return h <= 23 ? h : undefined;
}

/**
 * The partition named by the leading components of a path relative to the table root, or
 * undefined. For Hive layouts without a fixed granularity, `dt=D/hr=H` is hourly and `dt=D`
 * daily.
 */
export function parseHive(components: string[], layout: HiveLayout): PartitionKey | undefined {
  const dateKey = layout.dateKey ?? 'dt';
  const hourKey = layout.hourKey ?? 'hr';
  const [first, second] = components;
  if (first === undefined || !first.startsWith(`${dateKey}=`)) return undefined;
  const day = parseDate(first.slice(dateKey.length + 1));
  if (day === undefined) return undefined;
  const wantHour = layout.granularity === 'hour' || (layout.granularity === undefined && second?.startsWith(`${hourKey}=`) === true);
  if (!wantHour) return { start: day, end: intervalEnd(day, 'day'), granularity: 'day', label: first, depth: 1 };
  if (second === undefined || !second.startsWith(`${hourKey}=`)) return undefined;
  const hour = parseHour(second.slice(hourKey.length + 1));
  if (hour === undefined) return undefined;
  const start = day + hour * 3_600_000;
  return { start, end: intervalEnd(start, 'hour'), granularity: 'hour', label: `${first}/${second}`, depth: 2 };
}

const FIELDS = {
  yyyy: { re: '(\\d{4})', granularity: 'year' },
  MM: { re: '(\\d{1,2})', granularity: 'month' },
  dd: { re: '(\\d{1,2})', granularity: 'day' },
  HH: { re: '(\\d{1,2})', granularity: 'hour' },
  mm: { re: '(\\d{1,2})', granularity: 'minute' },
} as const;
type Field = keyof typeof FIELDS;
const ORDER: Granularity[] = ['year', 'month', 'day', 'hour', 'minute'];

export interface CompiledTemplate {
  template: string;
  /** One matcher per path component of the template. */
  components: { re: RegExp; fields: Field[] }[];
  granularity: Granularity;
}

/** Compiles `{yyyy}/{MM}/{dd}/{HH}` (fields yyyy, MM, dd, HH, mm; any literal text around them). */
export function compileTemplate(t: string): CompiledTemplate {
  const parts = t.replace(/^\/+|\/+$/g, '').split('/');
  const seen = new Set<Field>();
  const components = parts.map((part) => {
    const fields: Field[] = [];
    let re = '';
    let last = 0;
    for (const m of part.matchAll(/\{(\w+)\}/g)) {
      const name = m[1] as Field;
      if (!(name in FIELDS)) throw new WarehouseLayoutError(`path template "${t}": unknown field {${m[1]}} (use {yyyy}, {MM}, {dd}, {HH}, {mm})`);
      if (seen.has(name)) throw new WarehouseLayoutError(`path template "${t}": field {${name}} appears twice`);
      seen.add(name);
      re += part.slice(last, m.index).replace(/[.*+?^${}()|[\]\\]/g, '\\$&') + FIELDS[name].re;
      fields.push(name);
      last = m.index! + m[0].length;
    }
    re += part.slice(last).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return { re: new RegExp(`^${re}$`), fields };
  });
  // fields must run from the year down without gaps
  const granularities = [...seen].map((f) => FIELDS[f].granularity as Granularity);
  const finest = Math.max(...granularities.map((g) => ORDER.indexOf(g)));
  if (!seen.has('yyyy') || finest < 0) throw new WarehouseLayoutError(`path template "${t}": needs at least {yyyy}`);
  for (let i = 0; i <= finest; i++) {
    if (!granularities.includes(ORDER[i]!)) throw new WarehouseLayoutError(`path template "${t}": {${Object.keys(FIELDS)[i]}} is missing before a finer field`);
  }
  return { template: t, components, granularity: ORDER[finest]! };
}

/** The partition named by the leading components, per a compiled template. */
export function parseTemplate(components: string[], compiled: CompiledTemplate): PartitionKey | undefined {
  if (components.length < compiled.components.length) return undefined;
  const v: Partial<Record<Field, number>> = {};
  for (let i = 0; i < compiled.components.length; i++) {
    const { re, fields } = compiled.components[i]!;
    const m = re.exec(components[i]!);
    if (!m) return undefined;
    fields.forEach((f, j) => (v[f] = Number(m[j + 1])));
  }
  const day = validDate(v.yyyy!, v.MM ?? 1, v.dd ?? 1);
  if (day === undefined) return undefined;
  const hour = v.HH ?? 0;
  const minute = v.mm ?? 0;
  if (hour > 23 || minute > 59) return undefined;
  const start = day + hour * 3_600_000 + minute * 60_000;
  const depth = compiled.components.length;
  return { start, end: intervalEnd(start, compiled.granularity), granularity: compiled.granularity, label: components.slice(0, depth).join('/'), depth };
}

/** True for a path component that discovery ignores (`_SUCCESS`, `_temporary`, `.tmp`…). */
export function isIgnoredComponent(c: string): boolean {
  return c.startsWith('_') || c.startsWith('.');
}

/** A label for an interval start in the layout's own form, used for missing partitions. */
export function labelFor(start: number, layout: Layout, granularity: Granularity): string {
  const d = new Date(start);
  const p2 = (n: number) => String(n).padStart(2, '0');
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  if (layout.kind === 'hive') {
    const dt = `${layout.dateKey ?? 'dt'}=${y}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}`;
    return granularity === 'hour' ? `${dt}/${layout.hourKey ?? 'hr'}=${p2(d.getUTCHours())}` : dt;
  }
  const values: Record<Field, string> = { yyyy: y, MM: p2(d.getUTCMonth() + 1), dd: p2(d.getUTCDate()), HH: p2(d.getUTCHours()), mm: p2(d.getUTCMinutes()) };
  return layout.template.replace(/^\/+|\/+$/g, '').replace(/\{(\w+)\}/g, (_, f: Field) => values[f]);
}

/**
 * Checks a name that becomes one folder or file-name part inside a table: a single path
 * component that stays inside the table (no `/`, `\\`, `..`) and that discovery does not ignore
 * (no leading `_` or `.`).
 */
export function checkPathPart(what: string, value: string): void {
  const problem =
    value === ''
      ? 'is empty'
      : /[/\\\0]/.test(value)
        ? 'holds a path separator or NUL'
        : value === '.' || value === '..' || value.includes('..')
          ? 'holds ".." (it would name a folder outside the table)'
          : isIgnoredComponent(value)
            ? 'starts with "_" or "." (discovery ignores such folders and files: the data would never be read)'
            : /[{}]/.test(value)
              ? 'holds "{" or "}" outside a known field'
              : undefined;
  if (problem) throw new WarehouseLayoutError(`${what} "${value}" ${problem}`);
}

/** Checks a layout a writer will create folders from; returns the template's compiled form. */
export function checkWritableLayout(layout: Layout): CompiledTemplate | undefined {
  if (layout.kind === 'hive') {
    checkPathPart('Hive date key', layout.dateKey ?? 'dt');
    checkPathPart('Hive hour key', layout.hourKey ?? 'hr');
    if (/[=]/.test(layout.dateKey ?? '') || /[=]/.test(layout.hourKey ?? '')) throw new WarehouseLayoutError('a Hive key cannot contain "="');
    return undefined;
  }
  const compiled = compileTemplate(layout.template);
  for (const part of layout.template.replace(/^\/+|\/+$/g, '').split('/')) {
    checkPathPart(`path template "${layout.template}": component`, part.replace(/\{(yyyy|MM|dd|HH|mm)\}/g, '0'));
  }
  return compiled;
}
