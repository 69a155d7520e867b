/**
 * A fuzz child: loads one target, then runs the cases the parent sends over IPC, one at a time,
 * answering each with its outcome. The parent kills it on a timeout and replaces it on a crash.
 */
import { TributaryError } from '../../sdk/errors.js';
import type { CaseOutcome, FuzzTarget } from './target.js';

const targetName = process.argv[2]!;
const target = ((await import(`./${targetName}-target.ts`)) as { default: FuzzTarget }).default;

process.on('message', (msg: { id: number; input: string }) => {
  const input = new Uint8Array(Buffer.from(msg.input, 'base64'));
  void target.run(input).then(
    (): CaseOutcome => ({ kind: 'accepted' }),
    (err: unknown): CaseOutcome => {
      const error = err instanceof Error ? `${err.name}: ${err.message}`.slice(0, 500) : String(err);
      return err instanceof TributaryError ? { kind: 'typed', error } : { kind: 'untyped', error };
    },
  )
    // let this case's stray rejections surface (and kill the child) before the answer, so a crash
    // is blamed on the input that caused it
    .then(async (outcome) => {
      await new Promise((resolve) => setImmediate(resolve));
      await new Promise((resolve) => setImmediate(resolve));
      process.send!({ id: msg.id, outcome });
    });
});
process.send!({ ready: true });
