/**
 * The benchmark harness. A case runs Tributary and a plain hand-written loop doing the same
 * work, each in a fresh child process (so peak RSS belongs to that variant alone, under the same
 * loader), `--repeat=N` times (default 3) in pairs whose order alternates, so a machine that
 * slows down or speeds up during the run does not favour one side. It prints one JSON line with
 * the medians: {"case", "elementsPerSec", "plainElementsPerSec", "ratio", "ratioSpread" (the
 * lowest and highest ratio of one pair), "runs", "peakRssMb", "plainPeakRssMb"}.
 *
 * A case file calls `benchCase(...)`; run directly it measures both variants, and with
 * `--variant=plain|tributary` it runs one and reports to its parent.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface VariantResult {
  readonly elements: number;
  readonly seconds: number;
  readonly extra?: Record<string, unknown>;
}

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
  readonly elements: number;
  readonly checksum: number;
  readonly extra?: Record<string, unknown>;
}

const MARK = '@@bench-variant ';

function peakRssMb(): number {
  return Math.round((process.resourceUsage().maxRSS / 1024) * 10) / 10;
}

export async function benchCase(file: string, def: CaseDefinition): Promise<void> {
  const variant = process.argv.find((a) => a.startsWith('--variant='))?.split('=')[1];
  if (variant === 'plain' || variant === 'tributary') {
    const t0 = performance.now();
    const { elements, checksum, extra } = await def[variant]();
    const seconds = (performance.now() - t0) / 1000;
    const report: VariantReport = { elementsPerSec: Math.round(elements / seconds), peakRssMb: peakRssMb(), elements, checksum, extra };
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
    ratioSpread: [round3(Math.min(...ratios)), round3(Math.max(...ratios))],
    runs: repeat,
    peakRssMb: median(pairs.map((p) => p.tributary.peakRssMb)),
    plainPeakRssMb: median(pairs.map((p) => p.plain.peakRssMb)),
    ...def.report?.(mid.plain, mid.tributary),
  };
  console.log(JSON.stringify(line));
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
