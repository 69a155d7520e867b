/** The CLI's yargs loads its help layout (cliui, string-width) only when help is printed. */
import { describe, expect, it } from 'vitest';
import { Parser, leanYargs, yargs } from '../../cli/lean-yargs.js';

describe('lean yargs', () => {
  it('is in use on this Node and yargs (else the CLI starts 10 MB heavier: see cli/lean-yargs.ts)', () => {
    expect(process.features.require_module).toBe(true);
    expect(leanYargs).toBe(true);
  });

  it('parses, validates and lays out help as stock yargs does', async () => {
    const build = () =>
      yargs()
        .scriptName('t')
        .strict()
        .exitProcess(false)
        .wrap(60)
        .option('runner', { type: 'string', default: 'direct', describe: 'the runner that executes the pipeline, described at some length so it wraps' });
    const parsed = await build().parseAsync(['--runner', 'flink']);
    expect(parsed.runner).toBe('flink');
    expect(() => build().fail((message) => { throw new Error(message); }).parse(['--bogus'])).toThrow('Unknown argument: bogus');
    const help = await build().getHelp();
    expect(help).toMatch(/--runner\s+the runner that executes the pipeline,/);
    expect(help).toMatch(/\n\s+described at some length so it wraps\s+\[string\] \[default: "direct"\]/);
    expect(Parser(['--a', '1', 'x'])).toMatchObject({ a: 1, _: ['x'] });
  });
});
