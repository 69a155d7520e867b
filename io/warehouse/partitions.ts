/**
 * Partition discovery for a warehouse table root (local path or s3://bucket/prefix): lists the
 * table once, groups files into time partitions by layout, orders them chronologically, and
 * reports missing partitions and unrecognized paths (KAPPA.md rules 2 and 5).
 */
import { storageFor } from '../storage/index.js';
import { asDirectory, type Storage } from '../storage/storage.js';
import {
  compileTemplate,
  intervalEnd,
  intervalsIn,
  isIgnoredComponent,
  labelFor,
  parseHive,
  parseTemplate,
  type Granularity,
  type Layout,
  type PartitionKey,
} from './layout.js';
import { TributaryError } from '../../sdk/errors.js';

export interface PartitionFile {
  path: string;
  size: number;
}

export interface Partition {
  /** Interval [start, end) in epoch ms, UTC. */
  start: number;
  end: number;
  granularity: Granularity;
  /** e.g. `dt=2024-01-01/hr=05`, as written on storage (or as it would be, when missing). */
  label: string;
  /** The partition's directory, e.g. `s3://b/t/dt=2024-01-01/hr=05/`. */
  path: string;
  /** Data files, sorted by path. */
  files: PartitionFile[];
  /** The directory does not exist (an expected partition with no path below it at all). */
  missing: boolean;
  /** The directory exists but holds no data file. (Zero-row files are found by the reader.) */
  empty: boolean;
}

export interface DiscoverOptions {
  layout: Layout;
  /** Only partitions intersecting [start, end) are expected and returned. */
  range?: { start: number; end: number };
  storage?: Storage;
  /** Listing page size (S3 MaxKeys). */
  pageSize?: number;
  /** File name endings that count as data files (default ['.parquet']; [] accepts any name). */
  extensions?: string[];
}

export interface Discovery {
  table: string;
  granularity: Granularity | undefined;
  /** Expected partitions in chronological order, missing ones included (flagged `missing`). */
  partitions: Partition[];
  /** The expected partitions whose directory is absent. */
  missingPartitions: Partition[];
  /** Files that match neither the layout nor the data-file extensions. */
  unrecognizedPaths: string[];
  /** Paths with a component starting with `_` or `.`. */
  ignoredPaths: number;
  /**
   * The partitions present on storage at the table's granularity, whatever the range: how many,
   * and the first and last interval starts. Lets an error say where the data is when a range
   * holds none of it.
   */
  present: { count: number; first: number; last: number } | undefined;
}

export class WarehouseError extends TributaryError {
  override readonly name = 'WarehouseError';
  constructor(
    readonly table: string,
    detail: string,
  ) {
    super(`warehouse table ${table}: ${detail}`);
  }
}

function parseKey(components: string[], layout: Layout, compiled: ReturnType<typeof compileTemplate> | undefined): PartitionKey | undefined {
  return layout.kind === 'hive' ? parseHive(components, layout) : parseTemplate(components, compiled!);
}

export async function discoverPartitions(table: string, options: DiscoverOptions): Promise<Discovery> {
  const storage = options.storage ?? storageFor(table);
  const layout = options.layout;
  const compiled = layout.kind === 'template' ? compileTemplate(layout.template) : undefined;
  const extensions = options.extensions ?? ['.parquet'];
  const root = asDirectory(table);

  const found = new Map<number, { key: PartitionKey; files: PartitionFile[] }>();
  const unrecognized: string[] = [];
  let ignored = 0;
  // Hive tables without a declared granularity: files directly under dt=D are daily partitions,
  // files under dt=D/hr=H hourly ones; the table's granularity is the finer one found.
  const present = (key: PartitionKey) => {
    let p = found.get(key.start * 10 + (key.granularity === 'hour' ? 1 : 0));
    if (!p) found.set(key.start * 10 + (key.granularity === 'hour' ? 1 : 0), (p = { key, files: [] }));
    return p;
  };

  for await (const entry of storage.list(root, { pageSize: options.pageSize })) {
    const rel = entry.path.slice(root.length).replace(/\/$/, '');
    if (rel === '') continue;
    const components = rel.split('/');
    const ignoredAt = components.findIndex(isIgnoredComponent);
    if (entry.isDirectory) {
      // a directory proves its partition exists, even when empty
      const key = parseKey(components, layout, compiled);
      if (key && key.depth === components.length && (ignoredAt === -1 || ignoredAt >= key.depth)) present(key);
      continue;
    }
    const key = parseKey(components, layout, compiled);
    if (ignoredAt !== -1) {
      ignored++;
      if (key && ignoredAt >= key.depth && components.length > key.depth) present(key); // e.g. hr=01/_SUCCESS
      continue;
    }
    const isData = extensions.length === 0 || extensions.some((e) => rel.endsWith(e));
    if (!key || components.length <= key.depth || !isData) {
      unrecognized.push(entry.path);
      continue;
    }
    present(key).files.push({ path: entry.path, size: entry.size });
  }

  let granularity: Granularity | undefined = layout.kind === 'hive' ? layout.granularity : compiled!.granularity;
  if (!granularity) {
    const all = [...found.values()];
    granularity = all.some((p) => p.key.granularity === 'hour') ? 'hour' : all.length > 0 ? 'day' : undefined;
  }
  // partitions of another granularity than the table's (daily folders in an hourly table)
  const byStart = new Map<number, { key: PartitionKey; files: PartitionFile[] }>();
  for (const p of found.values()) {
    if (p.key.granularity !== granularity) {
      for (const f of p.files) unrecognized.push(f.path);
      continue;
    }
    byStart.set(p.key.start, p);
  }

  let starts: number[];
  if (options.range) {
    if (!granularity) {
      throw new WarehouseError(table, 'no partitions found, so the partition size is unknown: declare the layout granularity (hive({ granularity: "hour" }))');
    }
    starts = intervalsIn(options.range.start, options.range.end, granularity);
  } else if (byStart.size === 0) {
    starts = [];
  } else {
    const sorted = [...byStart.keys()].sort((a, b) => a - b);
    starts = [];
    for (let s = sorted[0]!; s <= sorted[sorted.length - 1]!; s = intervalEnd(s, granularity!)) starts.push(s);
  }

  const partitions: Partition[] = starts.map((start) => {
    const p = byStart.get(start);
    const label = p?.key.label ?? labelFor(start, layout, granularity!);
    const files = (p?.files ?? []).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return {
      start,
      end: intervalEnd(start, granularity!),
      granularity: granularity!,
      label,
      path: `${root}${label}/`,
      files,
      missing: p === undefined,
      empty: files.length === 0,
    };
  });
  unrecognized.sort();
  let span: Discovery['present'];
  for (const start of byStart.keys()) {
    if (!span) span = { count: 0, first: start, last: start };
    span.count++;
    if (start < span.first) span.first = start;
    if (start > span.last) span.last = start;
  }
  return {
    present: span,
    table,
    granularity,
    partitions,
    missingPartitions: partitions.filter((p) => p.missing),
    unrecognizedPaths: unrecognized,
    ignoredPaths: ignored,
  };
}
