/** sdk/options: declarations, inferred option types, validation and pipeline building. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { Create, Pipeline } from '../../sdk/index.js';
import { InvalidOptionError, buildPipeline, coerceOptionValue, defineOptions, parseOptions, type OptionsOf, type PipelineModule } from '../../sdk/options/index.js';

const options = defineOptions({
  input: { type: 'string', describe: 'where to read', default: 'words.txt' },
  minCount: { type: 'number', default: 1 },
  mode: { type: 'string', choices: ['backfill', 'realtime'] },
  verbose: { type: 'boolean' },
  shards: { type: 'number', integer: true, required: true },
});

describe('defineOptions / OptionsOf', () => {
  it('infers the build function\'s option type', () => {
    type O = OptionsOf<typeof options>;
    expectTypeOf<O>().toEqualTypeOf<{
      readonly input: string;
      readonly minCount: number;
      readonly verbose: boolean;
      readonly shards: number;
      readonly mode?: 'backfill' | 'realtime';
    }>();
    const mod: PipelineModule<typeof options> = {
      options,
      default: (p, o) => {
        expectTypeOf(o.mode).toEqualTypeOf<'backfill' | 'realtime' | undefined>();
        p.apply('Input', Create.of([o.input]));
      },
    };
    expect(typeof mod.default).toBe('function');
  });

  it('rejects bad declarations', () => {
    expect(() => defineOptions({ 'min-count': { type: 'number' } })).toThrow('option name "min-count" in options must be a camelCase identifier (letters and digits, starting with a letter)');
    expect(() => defineOptions({ n: { type: 'int' as 'number' } })).toThrow(`option "n" in options has type "int"; expected 'string', 'number' or 'boolean'`);
    expect(() => defineOptions({ mode: { type: 'string', choices: ['a', 'b'], default: 'c' } })).toThrow('option "mode" in options has default "c", but it expects one of: "a", "b"');
  });
});

describe('parseOptions', () => {
  it('fills defaults and converts command-line text', () => {
    expect(parseOptions(options, { minCount: '3', shards: '4', mode: 'realtime' })).toEqual({ input: 'words.txt', minCount: 3, mode: 'realtime', verbose: false, shards: 4 });
  });

  it('names the flag and what it expects', () => {
    const fails = (values: Record<string, unknown>) => {
      try {
        parseOptions(options, values, { source: 'the command line' });
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidOptionError);
        return (e as Error).message;
      }
      throw new Error('expected a failure');
    };
    expect(fails({ shards: 1, minCont: 2 })).toBe('unknown option --minCont in the command line; the pipeline declares: --input, --minCount, --mode, --verbose, --shards');
    expect(fails({ shards: 1, minCount: 'x' })).toBe('--minCount expects a number, got "x"');
    expect(fails({ shards: 1.5 })).toBe('--shards expects an integer, got 1.5');
    expect(fails({ shards: 1, mode: 'batch' })).toBe('--mode expects one of: "backfill", "realtime", got "batch"');
    expect(fails({ shards: 1, verbose: 'yes' })).toBe('--verbose expects true or false, got "yes"');
    expect(fails({ shards: 1, input: 7 })).toBe('--input expects a string, got 7');
    expect(fails({})).toBe('missing required option --shards (an integer)');
    expect(() => coerceOptionValue('input', { type: 'string' }, ['a', 'b'])).toThrow('--input was given 2 times; give it once');
  });
});

describe('buildPipeline', () => {
  it('validates the options and calls the build function with them', async () => {
    let seen: unknown;
    const { pipeline, options: o } = await buildPipeline({ options, default: (p: Pipeline, opts) => void (seen = opts) }, { shards: 2 });
    expect(seen).toEqual({ input: 'words.txt', minCount: 1, verbose: false, shards: 2 });
    expect(o).toBe(seen);
    expect(pipeline.options).toEqual(seen);
  });
});
