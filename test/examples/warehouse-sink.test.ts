/**
 * The streaming warehouse sink example (talk 27): the live counts of the stream, the counts
 * replayed by Kappa+ from the table the stream wrote, and a plain loop over the generated clicks
 * are the same; the table has one committed partition per hour of data. Through the CLI too.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Pipeline } from '../../sdk/index.js';
import { PAssert } from '../../sdk/testing/passert.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { generateClicks, replayTable, writeFromStream, type PageHour } from '../../examples/warehouse-sink.js';
import { runCli } from '../cli/run-cli.js';

const HOUR = 3_600_000;
const root = mkdtempSync(join(tmpdir(), 'tributary-warehouse-sink-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function counts(build: (p: Pipeline) => ReturnType<typeof replayTable>): Promise<Record<string, number>> {
  const p = new Pipeline();
  let seen: PageHour[] = [];
  PAssert.that(build(p)).satisfies((xs) => void (seen = xs));
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.state).toBe('DONE');
  return Object.fromEntries(seen.map((v) => [`${v.page} ${v.hourStart}`, v.views]));
}

describe('examples/warehouse-sink', () => {
  it('live counts = counts replayed from the written table = a plain loop', async () => {
    const table = join(root, 'clicks');
    const arrivals = generateClicks({ clicks: 3000, pages: 8, hours: 5, seed: 4 });
    const expected: Record<string, number> = {};
    for (const { value: c } of arrivals) {
      const k = `${c.page} ${Math.floor(c.ts / HOUR) * HOUR}`;
      expected[k] = (expected[k] ?? 0) + 1;
    }
    const live = await counts((p) => writeFromStream(p, table, arrivals));
    expect(live).toEqual(expected);
    expect(readdirSync(join(table, 'dt=2024-06-01')).sort()).toEqual(['hr=00', 'hr=01', 'hr=02', 'hr=03', 'hr=04']);
    const replayed = await counts((p) => replayTable(p, table));
    expect(replayed).toEqual(expected);
  });

  it('writes, then replays, from the command line', async () => {
    const table = join(root, 'cli');
    const write = await runCli(['run', 'examples/warehouse-sink.ts', '--mode=write', `--table=${table}`, '--clicks=500', '--print=2']);
    expect(write.code, write.stderr).toBe(0);
    expect(write.stdout + write.stderr).toMatch(/parquetio\/rowsWritten\s+\S+\s+500/);
    const replay = await runCli(['run', 'examples/warehouse-sink.ts', '--mode=replay', `--table=${table}`, '--print=2']);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout + replay.stderr).toMatch(/kappa\/rows\s+\S+\s+500/);
    expect(replay.stdout).toMatch(/^replayed \S+h \/page\/\d+ +\d+ views$/m);
  });
});
