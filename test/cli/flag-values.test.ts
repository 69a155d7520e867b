/**
 * A flag that takes a value, given none, is a usage error naming the flag (exit code 2) — never a
 * silent fall-back to the default (the default runner, no checkpointing, the default --top).
 * Runs the CLI's `main` in this process on the real example file.
 */
import { describe, expect, it } from 'vitest';
import { main, type CliIO } from '../../cli/main.js';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { out: (t) => void (out += typeof t === 'string' ? t : new TextDecoder().decode(t)), err: (t) => void (err += t) };
  const code = await main(args, io);
  return { code, out, err };
}

const WORDCOUNT = 'examples/wordcount.ts';

describe('flags given without a value', () => {
  const cases: Array<[string, string[], string]> = [
    ['--runner at the end', ['run', WORDCOUNT, '--runner'], '--runner needs a value (--runner=<string>)'],
    ['--runner followed by another flag', ['run', WORDCOUNT, '--runner', '--top=3'], '--runner needs a value (--runner=<string>)'],
    ['--runner=', ['run', WORDCOUNT, '--runner='], '--runner needs a value (--runner=<string>), got an empty one'],
    ['--checkpointDir at the end', ['run', WORDCOUNT, '--checkpointDir'], '--checkpointDir needs a value (--checkpointDir=<string>)'],
    ['--checkpoint-dir=', ['run', WORDCOUNT, '--checkpoint-dir='], '--checkpoint-dir needs a value (--checkpoint-dir=<string>), got an empty one'],
    ['--checkpointIntervalMs', ['run', WORDCOUNT, '--checkpointIntervalMs', '--checkpointDir=/tmp/x'], '--checkpointIntervalMs needs a value (--checkpointIntervalMs=<number>)'],
    ["the pipeline's --top", ['run', WORDCOUNT, '--top'], '--top needs a value (--top=<number>)'],
    ["the pipeline's --input before another flag", ['run', WORDCOUNT, '--input', '--top', '3'], '--input needs a value (--input=<string>)'],
    ['proto --out', ['proto', WORDCOUNT, '--out'], '--out needs a value (--out=<string>)'],
  ];
  for (const [name, args, message] of cases) {
    it(`${name}: exit 2 naming the flag`, async () => {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain(`error: ${message}; leave the flag out to use its default (see "tributary ${args[0]} ${WORDCOUNT} --help")`);
      expect(r.out).toBe('');
    });
  }

  it('worker flags too', async () => {
    const r = await cli(['worker', '--pipeline', '--proto=p.pb']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('error: --pipeline needs a value (--pipeline=<string>)');
  });

  it('values are still accepted in both forms, a negative number included, and booleans need none', async () => {
    const r = await cli(['run', WORDCOUNT, '--runner', 'direct', '--top=2', '--minLength', '-1']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toContain('on runner "direct": DONE');
    const help = await cli(['run', WORDCOUNT, '--help']);
    expect(help.code).toBe(0);
  });
});
