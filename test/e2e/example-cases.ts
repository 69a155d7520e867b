/**
 * The examples every portable runner must print as the direct runner does, with the arguments
 * that keep them small (each TestStream event and each bundle costs a runner round trip; size
 * belongs in bench/), and how their printed lines are compared: what the example prints, not the
 * runner's summary (the "on runner" line and the metrics tables name steps differently), as sorted
 * lists (sinks print from parallel workers). Shared by the Prism and the Flink end-to-end files.
 */
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { tempDirForFile } from '../temp-dir.js';

export const CLI_TIMEOUT_MS = 240_000;

export interface ExampleCase {
  readonly example: string;
  readonly args: readonly string[];
  /** Makes lines that legitimately differ between runs comparable. */
  readonly normalize?: (line: string) => string;
  /** The example writes files (a generated warehouse, its output) another run would see. */
  readonly oneAtATime?: boolean;
}

const ALL = '--print=100000';

/** Where the examples that generate their input on first use write it: one folder per test file
 *  (vitest loads this module once per file), so two files running at once on a fresh clone never
 *  generate the same default folder (.demo-ads, .demo-warehouse) together. */
const WORK = tempDirForFile('tributary-examples-');

/** Every example prints all it produces (most print only the first few to arrive by default). */
export const SAME_OUTPUT: readonly ExampleCase[] = [
  { example: 'wordcount', args: [] },
  { example: 'enrich-orders', args: [] },
  { example: 'dedup', args: ['--opens=1000', '--users=100', '--days=1', ALL] }, // state TTL
  { example: 'suspicious-logins', args: [ALL] }, // state TTL, event-time timers
  { example: 'unique-counts', args: ['--opens=5000', '--users=2000', ALL] },
  { example: 'warehouse-sink', args: ['--clicks=1000', ALL], oneAtATime: true }, // writes its warehouse
  { example: 'driving-score', args: [] }, // the element-predicate trigger, sessions, a late-data output
  { example: 'device-health', args: ['--events=3000', '--devices=100', '--hours=12', ALL] },
  { example: 'sessionizer', args: ['--events=4000', '--users=400', ALL] },
  { example: 'attribution', args: [`--warehouse=${join(WORK, 'ads')}`], oneAtATime: true }, // generates its tables on first use
  // Kappa+ replay into the element-predicate trigger: EARLY panes where the replay's watermark
  // passes a trip's end, also at its last partition (user-3's last trip ends in it). The first run
  // generates the warehouse: a day of 3 drivers, about 3,600 rows.
  { example: 'kappa-demo', args: [`--warehouse=${join(WORK, 'warehouse')}`, '--days=1', '--users=3', '--trips=2'], oneAtATime: true },
  // Small: Prism waits for the pipeline to settle after each TestStream event and then scans every
  // element its GroupByKeys hold (a week of hourly sliding windows is 168 per element), about 0.2 s
  // per event at the defaults; half a day, 300 events, a day's window every 4 hours keep the late
  // events (4) and take seconds.
  { example: 'sliding-metrics', args: ['--events=300', '--days=0.5', '--windowDays=1', '--slideMinutes=240', ALL] },
  // The simulated registry's port, and how many attempts a call took (its failures depend on the
  // order the calls reach it, which differs between runners). An outage of 4 requests and a hang
  // every 1,000th: no reading can fail all 6 of its attempts, whatever the order (with 10, one
  // reading on Flink met 6 failures in a row and went to the failures output).
  {
    example: 'fleet-catch-up',
    args: ['--devices=12', '--registered=11', '--outageRequests=4', '--hangEvery=1000', ALL],
    normalize: (l) => l.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT').replace(/\(\d+ attempt\(s\)\)/, '(N attempt(s))'),
  },
];

/** What the example printed, without the runner's summary, sorted. */
export function printed(r: CliResult, normalize: (line: string) => string = (l) => l): string[] {
  const lines: string[] = [];
  let inTable = false;
  for (const line of r.stdout.split('\n')) {
    if (/^(Counters|Gauges|Distributions):$/.test(line)) {
      inTable = true;
      continue;
    }
    if (inTable && line.startsWith('  ')) continue;
    inTable = false;
    if (line === '' || / on runner "/.test(line) || line === 'No metrics reported.') continue;
    lines.push(normalize(line));
  }
  return lines.sort();
}

/** Direct runs by example and arguments, within one test file: a later case reuses one. */
const directRuns = new Map<string, Promise<CliResult>>();
export function runDirect(file: string, args: readonly string[]): Promise<CliResult> {
  const key = [file, ...args].join(' ');
  let run = directRuns.get(key);
  if (!run) directRuns.set(key, (run = runCli(['run', file, '--runner=direct', ...args], {}, CLI_TIMEOUT_MS)));
  return run;
}

/**
 * One test per example of the table: the direct run and the runner's (`flags` select it) at once,
 * unless the example writes files the other run would see; the same printed lines. Examples in
 * `notCompared` are listed as skipped with the reason; `runnerArgs` adds flags to one example's
 * run on the runner only.
 */
export function sameOutputAsDirect(
  runner: string,
  flags: () => readonly string[],
  notCompared: Readonly<Record<string, string>> = {},
  runnerArgs: Readonly<Record<string, readonly string[]>> = {},
): void {
  for (const { example, args, normalize, oneAtATime } of SAME_OUTPUT) {
    const reason = notCompared[example];
    if (reason) {
      it.skip(`${example} (${reason})`, () => undefined);
      continue;
    }
    it(example, async () => {
      const file = `examples/${example}.ts`;
      const direct = () => runDirect(file, args);
      const other = () => runCli(['run', file, `--runner=${runner}`, ...flags(), ...(runnerArgs[example] ?? []), ...args], {}, CLI_TIMEOUT_MS);
      const [d, r] = oneAtATime ? [await direct(), await other()] : await Promise.all([direct(), other()]);
      expect(d.code, d.stderr).toBe(0);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(new RegExp(`${example}\\.ts on runner "${runner}": DONE`));
      const lines = printed(d, normalize);
      expect(lines.length).toBeGreaterThan(0);
      expect(printed(r, normalize)).toEqual(lines);
    }, 2 * CLI_TIMEOUT_MS);
  }
}
