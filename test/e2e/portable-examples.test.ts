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
import { runCli } from '../cli/run-cli.js';
import { usePrism } from '../servers/prism/prism.js';
import { CLI_TIMEOUT_MS, printed, runDirect, sameOutputAsDirect } from './example-cases.js';

const prism = usePrism();

describe('every example: the portable runner (Prism) prints what the direct runner prints', () => {
  sameOutputAsDirect('portable', () => [`--jobEndpoint=${prism.current.endpoint}`]);

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
