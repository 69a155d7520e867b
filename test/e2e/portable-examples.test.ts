/**
 * Every example through the CLI on --runner=direct and on --runner=portable against Beam's Prism
 * (started here): the same output lines. The lines compared are what the example prints, not the
 * runner's summary (the "on runner" line and the metrics tables name steps differently). Output
 * order is the runners' (they differ): lines are compared as sorted lists. Examples that cannot be
 * compared are listed with the reason (also in docs/runners.md).
 *
 * One example also runs with --environment=process: Prism starts the harness itself
 * (bin/tributary-harness.mjs), which fetches the staged program from Prism's artifact service,
 * rebuilds the graph, checks it against the staged proto and runs the bundles.
 *
 * Not compared: kafka-demo (it starts a Kafka broker of its own and runs the direct runner's
 * realtime mode), dynamic-rules and identity-graph (Prism v2.78.0 refuses a side input re-fired
 * in the global window at submission); see docs/runners.md.
 */
import { describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../cli/run-cli.js';
import { usePrism } from '../servers/prism/prism.js';

const prism = usePrism();
const CLI_TIMEOUT_MS = 240_000;

/** What the example printed, without the runner's summary, sorted. */
function printed(r: CliResult, normalize: (line: string) => string = (l) => l): string[] {
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

/** Direct runs by example and arguments: a later case that needs the same one reuses it. */
const directRuns = new Map<string, Promise<CliResult>>();
function runDirect(file: string, args: string[]): Promise<CliResult> {
  const key = [file, ...args].join(' ');
  let run = directRuns.get(key);
  if (!run) directRuns.set(key, (run = runCli(['run', file, '--runner=direct', ...args], {}, CLI_TIMEOUT_MS)));
  return run;
}

/** Both runs at once, unless the example writes files the other run would see. */
async function both(example: string, args: string[] = [], oneAtATime = false): Promise<{ direct: CliResult; portable: CliResult }> {
  const file = `examples/${example}.ts`;
  const direct = () => runDirect(file, args);
  const runPortable = () => runCli(['run', file, '--runner=portable', `--jobEndpoint=${prism.current.endpoint}`, ...args], {}, CLI_TIMEOUT_MS);
  const [d, portable] = oneAtATime ? [await direct(), await runPortable()] : await Promise.all([direct(), runPortable()]);
  expect(d.code, d.stderr).toBe(0);
  expect(portable.code, portable.stderr).toBe(0);
  expect(portable.stdout).toMatch(new RegExp(`${example}\\.ts on runner "portable": DONE`));
  return { direct: d, portable };
}

/** Examples whose printed lines are the same on both runners. Inputs are kept small (each
 *  TestStream event and each bundle costs a Prism round trip; size belongs in bench/), and every
 *  example prints all it produces (most print only the first few to arrive by default). */
const ALL = '--print=100000';
const SAME_OUTPUT: [string, string[], ((line: string) => string)?, boolean?][] = [
  ['wordcount', []],
  ['enrich-orders', []],
  ['dedup', ['--opens=1000', '--users=100', '--days=1', ALL]], // state TTL
  ['suspicious-logins', [ALL]], // state TTL, event-time timers
  ['unique-counts', ['--opens=5000', '--users=2000', ALL]],
  ['warehouse-sink', ['--clicks=1000', ALL], undefined, true], // writes its warehouse: one run at a time
  ['driving-score', []], // the element-predicate trigger, sessions, a late-data output
  ['device-health', ['--events=3000', '--devices=100', '--hours=12', ALL]],
  ['sessionizer', ['--events=4000', '--users=400', ALL]],
  ['attribution', [], undefined, true], // generates its tables on first use (.demo-ads): one run at a time
  // Kappa+ replay into the element-predicate trigger: EARLY panes where the replay's watermark
  // passes a trip's end, also at its last partition (the read's last estimate reaches Prism as a
  // residual before the read ends). One run at a time: the first generates .demo-warehouse.
  ['kappa-demo', [], undefined, true],
  // Its late-data GroupByKey expanded. Small: Prism waits for the pipeline to settle after each
  // TestStream event and then scans every element its GroupByKeys hold (a week of hourly sliding
  // windows is 168 per element), about 0.2 s per event at the defaults; half a day, 300 events, a
  // day's window every 4 hours keep the late events (4) and take seconds.
  ['sliding-metrics', ['--events=300', '--days=0.5', '--windowDays=1', '--slideMinutes=240', ALL]],
  // The simulated registry's port, and how many attempts a call took (its failures depend on the
  // order the calls reach it, which differs between runners).
  ['fleet-catch-up', ['--devices=12', '--registered=11', '--outageRequests=10', ALL], (l) => l.replace(/127\.0\.0\.1:\d+/, '127.0.0.1:PORT').replace(/\(\d+ attempt\(s\)\)/, '(N attempt(s))')],
];

describe('every example: the portable runner (Prism) prints what the direct runner prints', () => {
  for (const [example, args, normalize, oneAtATime] of SAME_OUTPUT) {
    it(example, async () => {
      const { direct, portable } = await both(example, args, oneAtATime);
      const lines = printed(direct, normalize);
      expect(lines.length).toBeGreaterThan(0);
      expect(printed(portable, normalize)).toEqual(lines);
    }, 2 * CLI_TIMEOUT_MS);
  }

  it('wordcount in the process environment: Prism starts the harness, which loads the staged program', async () => {
    const direct = await runDirect('examples/wordcount.ts', []); // the first case's run
    const portable = await runCli(['run', 'examples/wordcount.ts', '--runner=portable', `--jobEndpoint=${prism.current.endpoint}`, '--environment=process'], {}, CLI_TIMEOUT_MS);
    expect(portable.code, `${portable.stderr}\nPrism: ${prism.current.logTail(30)}`).toBe(0);
    // The words are printed where the DoFns run: in the harness processes Prism started, whose
    // output is Prism's.
    const log = prism.current.logTail(400);
    const words = printed(direct).filter((l) => /^\s+\d+\s+\S+$/.test(l));
    expect(words.length).toBeGreaterThan(0);
    for (const w of words) expect(log).toContain(w);
  }, 2 * CLI_TIMEOUT_MS);
});
