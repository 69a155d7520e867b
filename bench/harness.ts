/**
 * The benchmark harness. A case runs Tributary and a plain hand-written loop doing the same
 * work, each in a fresh child process (so peak RSS belongs to that variant alone, under the same
 * loader), `--repeat=N` times (default 3) in pairs whose order alternates, so a machine that
 * slows down or speeds up during the run does not favour one side. It prints one JSON line with
 * the medians: {"case", "elementsPerSec", "plainElementsPerSec", "ratio", "ratioSpread" (the
 * lowest and highest ratio of one pair), "cpuMs", "plainCpuMs", "cpuRatio", "cpuRatioSpread",
 * "runs", "peakRssMb", "plainPeakRssMb"}.
 *
 * `ratio` is wall clock (Tributary's elements per second over the plain loop's). `cpuRatio` is the
 * plain loop's main-thread CPU time over Tributary's, for the same work: on a shared machine a
 * variant's wall clock includes the time it waited for a core (one pair's ratio swings ×2 at load
 * 4–12), its main-thread CPU time far less (within ~15%). Main thread only: V8's helper threads
 * (concurrent GC) and the loader's thread are left out of both sides alike. A case whose
 * Tributary side works outside the variant's main thread (a server process doing the pipeline's
 * work) says so with `offMainThread`; its cpuRatio is "n/a" unless that work is the same on both
 * sides.
 *
 * A case file calls `benchCase(...)`; run directly it measures both variants, and with
 * `--variant=plain|tributary` it runs one and reports to its parent.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface CaseDefinition {
  readonly name: string;
  /** Each returns how many elements it processed and a checksum of its result, which must agree. */
  readonly plain: () => Promise<Outcome> | Outcome;
  readonly tributary: () => Promise<Outcome> | Outcome;
  /**
   * Settings handed to each variant's process (`--name=value`), e.g. which of a file's cases it
   * runs: a file with several cases calls `benchCase` once per case and its child processes
   * pick theirs from these.
   */
  readonly childArgs?: readonly string[];
  /** Extra fields for the JSON line, from the two variants' `extra`. */
  readonly report?: (plain: VariantReport, tributary: VariantReport) => Record<string, unknown>;
  /**
   * Work a variant does outside its process's main thread, which `cpuMs` leaves out: `what` it is
   * (printed as `cpuNote`), and whether the two variants' main-thread CPU still compares the same
   * work (`comparable`: a server both sides use alike) or not (cpuRatio "n/a": Tributary's side
   * runs in another process).
   */
  readonly offMainThread?: { readonly what: string; readonly comparable: boolean };
}

export interface Outcome {
  readonly elements: number;
  readonly checksum: number;
  /** Figures the variant measured about itself, passed to `report`. */
  readonly extra?: Record<string, unknown>;
}

export interface VariantReport {
  readonly elementsPerSec: number;
  readonly peakRssMb: number;
  /** CPU time of the variant's main thread while it ran (undefined where it cannot be read). */
  readonly cpuMs: number | undefined;
  readonly elements: number;
  readonly checksum: number;
  readonly extra?: Record<string, unknown>;
}

const MARK = '@@bench-variant ';

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

/**
 * CPU time this process's main thread has run, in ms: Node's own figure where it has one (22.x:
 * `process.threadCpuUsage`), else Linux's (/proc/self/task/<main thread>/schedstat, first field,
 * ns); undefined elsewhere. `process.cpuUsage` would add every thread of the process.
 */
export function mainThreadCpuMs(): number | undefined {
  const own = (process as { threadCpuUsage?: () => { user: number; system: number } }).threadCpuUsage;
  if (own) {
    const u = own.call(process);
    return (u.user + u.system) / 1000;
  }
  try {
    return Number(readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return undefined;
  }
}

export async function benchCase(file: string, def: CaseDefinition): Promise<void> {
  const variant = process.argv.find((a) => a.startsWith('--variant='))?.split('=')[1];
  if (variant === 'plain' || variant === 'tributary') {
    const cpu0 = mainThreadCpuMs();
    const t0 = performance.now();
    const { elements, checksum, extra } = await def[variant]();
    const seconds = (performance.now() - t0) / 1000;
    const cpu1 = mainThreadCpuMs();
    const cpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : Math.round(cpu1 - cpu0);
    const report: VariantReport = { elementsPerSec: Math.round(elements / seconds), peakRssMb: peakRssMb(), cpuMs, elements, checksum, extra };
    process.stdout.write(`${MARK}${JSON.stringify(report)}\n`);
    return;
  }
  const path = fileURLToPath(file);
  const run = (v: string): VariantReport => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', path, `--variant=${v}`, ...(def.childArgs ?? [])], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const line = child.stdout.split('\n').find((l) => l.startsWith(MARK));
    if (child.status !== 0 || !line) {
      throw new Error(`bench ${def.name} (${v}) failed with status ${child.status}:\n${child.stderr || child.stdout}`);
    }
    return JSON.parse(line.slice(MARK.length)) as VariantReport;
  };
  const repeat = Math.max(1, Number(process.argv.find((a) => a.startsWith('--repeat='))?.split('=')[1] ?? 3));
  const pairs: Array<{ plain: VariantReport; tributary: VariantReport }> = [];
  for (let i = 0; i < repeat; i++) {
    const plainFirst = i % 2 === 0;
    const first = run(plainFirst ? 'plain' : 'tributary');
    const second = run(plainFirst ? 'tributary' : 'plain');
    const pair = plainFirst ? { plain: first, tributary: second } : { plain: second, tributary: first };
    const { plain, tributary } = pair;
    if (plain.elements !== tributary.elements || plain.checksum !== tributary.checksum) {
      throw new Error(
        `bench ${def.name}: the variants disagree (elements ${plain.elements} vs ${tributary.elements}, checksum ${plain.checksum} vs ${tributary.checksum})`,
      );
    }
    pairs.push(pair);
  }
  const ratios = pairs.map((p) => p.tributary.elementsPerSec / p.plain.elementsPerSec);
  // The report's extras come from the pair whose ratio is the median one.
  const mid = pairs[ratios.indexOf(median(ratios))]!;
  const line = {
    case: def.name,
    elementsPerSec: median(pairs.map((p) => p.tributary.elementsPerSec)),
    plainElementsPerSec: median(pairs.map((p) => p.plain.elementsPerSec)),
    ratio: round3(median(ratios)),
    ratioSpread: spread(ratios),
    ...cpuFields(pairs, def.offMainThread),
    runs: repeat,
    peakRssMb: median(pairs.map((p) => p.tributary.peakRssMb)),
    plainPeakRssMb: median(pairs.map((p) => p.plain.peakRssMb)),
    ...def.report?.(mid.plain, mid.tributary),
  };
  console.log(JSON.stringify(line));
}

/** The main-thread CPU figures of the JSON line: medians per variant and the ratio (plain ÷ Tributary) with its spread. */
function cpuFields(pairs: ReadonlyArray<{ plain: VariantReport; tributary: VariantReport }>, off: CaseDefinition['offMainThread']): Record<string, unknown> {
  const note = off ? { cpuNote: off.what } : {};
  if (pairs.some((p) => p.plain.cpuMs === undefined || p.tributary.cpuMs === undefined)) return { cpuRatio: 'n/a', ...note, cpuNote: 'main-thread CPU time cannot be read on this platform' };
  const cpu = { cpuMs: median(pairs.map((p) => p.tributary.cpuMs!)), plainCpuMs: median(pairs.map((p) => p.plain.cpuMs!)) };
  if (off && !off.comparable) return { ...cpu, cpuRatio: 'n/a', ...note };
  const ratios = pairs.map((p) => p.plain.cpuMs! / p.tributary.cpuMs!);
  return { ...cpu, cpuRatio: round3(median(ratios)), cpuRatioSpread: spread(ratios), ...note };
}

/** The lowest and highest of `xs` (one pair's), rounded as the medians are. */
function spread(xs: readonly number[]): [number, number] {
  return [round3(Math.min(...xs)), round3(Math.max(...xs))];
}

/** The middle value (the lower middle of an even count: a value that was measured). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A small deterministic PRNG (mulberry32), so both variants see the same input. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
