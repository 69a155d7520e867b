/**
 * End-to-end tests of the `tributary` command: each runs bin/tributary.mjs in a child process on
 * a fixture pipeline file and checks the exit code and the exact text a user sees.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { FIXTURES, ROOT, runCli } from './run-cli.js';

const WORDCOUNT = `${FIXTURES}/wordcount.ts`;
const tmp = mkdtempSync(join(tmpdir(), 'tributary-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('tributary run', () => {
  it('runs a TypeScript pipeline file on the direct runner and prints a metrics summary', async () => {
    const r = await runCli(['run', WORDCOUNT, '--runner=direct', '--minCount', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^test\/fixtures\/pipelines\/wordcount\.ts on runner "direct": DONE in \d+\.\d\d s\n/);
    expect(r.stdout).toMatch(/Counters:\n/);
    expect(r.stdout).toMatch(/tributary\/passertSuccess\s+CheckCounts\/Check\s+1\n/);
    expect(r.stdout).toMatch(/wordcount\/words\s+Split\s+15\n/);
    expect(r.stdout).toMatch(/Distributions:\n.*\n\s+wordcount\/lineLength\s+Split\s+4\s+68\s+13\s+23\s+17\n/);
  });

  it('defaults to the direct runner and accepts kebab-case and boolean flags', async () => {
    const r = await runCli(['run', WORDCOUNT, '--min-count=1', '--dedupe-lines', '--mode', 'realtime']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/wordcount\/words\s+Split\s+12\n/);
  });

  it('--help lists the pipeline\'s declared options with their types, choices and defaults', async () => {
    const r = await runCli(['run', WORDCOUNT, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Pipeline options (declared by test/fixtures/pipelines/wordcount.ts):');
    expect(r.stdout).toMatch(/--minCount\s+only report words seen at least this often\s+\[number\] \[default: 1\]/);
    expect(r.stdout).toMatch(/--mode\s+where the input comes from\s+\[string\] \[choices: "backfill", "realtime"\] \[default: "backfill"\]/);
    expect(r.stdout).toMatch(/--dedupeLines\s+drop repeated lines first \(adds a Distinct step\)\s+\[boolean\]/);
    expect(r.stdout).toMatch(/--runner\s+the runner that executes the pipeline \(known: direct, portable, flink;/);
    expect(r.stdout).toMatch(/--stacktrace\s+print the stack trace of an error/);
  });

  it('top-level --help lists the commands', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const c of ['run <pipeline>', 'proto <pipeline>', 'worker', 'runners']) expect(r.stdout).toContain(`tributary ${c}`);
  });

  it('an unknown flag is an error naming it', async () => {
    const r = await runCli(['run', WORDCOUNT, '--colour=red']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`error: unknown flag --colour (see "tributary run ${WORDCOUNT} --help")\n`);
  });

  it('a malformed number is an error naming the flag, what it expects and what it got', async () => {
    const r = await runCli(['run', WORDCOUNT, '--minCount', 'lots']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --minCount expects a number, got "lots" (see "tributary run ${WORDCOUNT} --help")\n`);
  });

  it('a value outside the declared choices is an error listing them', async () => {
    const r = await runCli(['run', WORDCOUNT, '--mode=batch']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: --mode expects one of: "backfill", "realtime", got "batch" (see "tributary run ${WORDCOUNT} --help")\n`);
  });

  it('an unknown runner lists the known ones', async () => {
    const r = await runCli(['run', WORDCOUNT, '--runner=flonk']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: unknown runner "flonk"; known runners: direct (in-process, executes the portable proto), portable (submits the pipeline to a Beam job server (--jobEndpoint=host:port) whose workers run the Tributary harness), flink (Apache Flink through Beam\'s Flink job server: embedded (--flinkMaster=[local], default) or a cluster (--flinkMaster=host:port); started for the run unless --jobEndpoint names a running one)\n');
  });

  it('a missing pipeline file is an error naming it', async () => {
    const r = await runCli(['run', `${FIXTURES}/nope.ts`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: pipeline file not found: ${FIXTURES}/nope.ts (looked at ${resolve(ROOT, FIXTURES, 'nope.ts')})\n`);
  });

  it('a pipeline file without a default export is an error saying what to export', async () => {
    const r = await runCli(['run', `${FIXTURES}/no-default.ts`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      `error: pipeline file ${FIXTURES}/no-default.ts has no default export; export the function that builds the pipeline: ` +
        'export default function (p: Pipeline, options) { ... }\n',
    );
  });

  it('a failing job exits 1 with the transform and message, and no stack trace unless asked', async () => {
    const r = await runCli(['run', `${FIXTURES}/failing.ts`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^test\/fixtures\/pipelines\/failing\.ts on runner "direct": FAILED in/);
    expect(r.stderr).toBe('error: transform "Explode" failed in process: two is not allowed\n');

    const verbose = await runCli(['run', `${FIXTURES}/failing.ts`, '--stacktrace']);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/^error: transform "Explode" failed in process: two is not allowed\nUserCodeError: .*\n\s+at /);
    expect(verbose.stderr).toContain('caused by: Error: two is not allowed');
  });

  it('an unknown command and a missing command are errors', async () => {
    const bogus = await runCli(['bogus']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toBe('error: unknown command "bogus"; the commands are run, proto, worker, runners, harness, worker-pool, flink-cluster (see "tributary --help")\n');
    const none = await runCli([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('error: give a command: run, proto, worker, runners, harness, worker-pool or flink-cluster (see "tributary --help")\n');
  });

  it('a pipeline may declare its own --verbose, but not an option named like a CLI flag', async () => {
    const own = await runCli(['run', `${FIXTURES}/own-verbose.ts`, '--verbose']);
    expect(own.stderr).toBe('');
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/fixture\/seen\s+Maybe\s+3\n/);
    const clash = await runCli(['run', `${FIXTURES}/clash.ts`]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toBe(`error: pipeline option --runner declared in ${FIXTURES}/clash.ts clashes with tributary's own --runner flag; give the option another name\n`);
  });

  it('tributary runners lists the registered runners', async () => {
    const r = await runCli(['runners']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('direct\tin-process, executes the portable proto\nportable\tsubmits the pipeline to a Beam job server (--jobEndpoint=host:port) whose workers run the Tributary harness\nflink\tApache Flink through Beam\'s Flink job server: embedded (--flinkMaster=[local], default) or a cluster (--flinkMaster=host:port); started for the run unless --jobEndpoint names a running one\n');
  });
});

describe('tributary proto', () => {
  it('--json writes the proto as JSON with the standard URNs, without running the pipeline', async () => {
    const r = await runCli(['proto', WORDCOUNT, '--json', '--minCount=2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as { components: { transforms: Record<string, { spec?: { urn?: string; payload?: string } }>; coders: Record<string, unknown> } };
    const urns = new Set(Object.values(json.components.transforms).map((t) => t.spec?.urn));
    expect(urns).toContain('beam:transform:impulse:v1');
    expect(urns).toContain('beam:transform:pardo:v1');
    expect(urns).toContain('beam:transform:combine_per_key:v1');
    expect(urns).toContain('beam:transform:group_by_key:v1');
    expect(json.components.transforms.Split!.spec!.payload).toMatch(/^[A-Za-z0-9+/]+=*$/);
    // The JSON decodes back into the same pipeline as the binary form.
    const fromJson = beam.Pipeline.fromObject(json);
    const binary = await runCli(['proto', WORDCOUNT, '--minCount=2', '--out', join(tmp, 'same.pb')]);
    expect(binary.code).toBe(0);
    expect(Buffer.from(beam.Pipeline.encode(fromJson).finish())).toEqual(readFileSync(join(tmp, 'same.pb')));
  });

  it('--out writes bytes that Pipeline.decode accepts', async () => {
    const out = join(tmp, 'wordcount.pb');
    const r = await runCli(['proto', WORDCOUNT, '--out', out, '--dedupeLines']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^wrote the pipeline proto \(\d+ transforms, \d+ bytes\) to .*wordcount\.pb\n$/);
    const decoded = beam.Pipeline.decode(readFileSync(out));
    expect(decoded.rootTransformIds).toContain('DedupeLines');
    expect(decoded.components!.transforms!['CountWords/Count']!.spec!.urn).toBe('beam:transform:combine_per_key:v1');
    expect(decoded.components!.transforms!.Split!.spec!.urn).toBe('beam:transform:pardo:v1');
  });

  it('rejects flags that belong to run', async () => {
    const r = await runCli(['proto', WORDCOUNT, '--runner=direct']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: unknown flag --runner (see "tributary proto ${WORDCOUNT} --help")\n`);
  });
});
