/**
 * Cases a runner cannot run, each with its reason (listed in docs/runners.md): the case is
 * reported as skipped with the reason in its title, never silently dropped.
 */
import { it } from 'vitest';

export type Skips = Readonly<Record<string, string>>;

type Case = (title: string, fn: () => Promise<void> | void, timeout?: number) => void;

/** `it`, unless `skips` names the case (`skipIf` as vitest's). */
export function caseUnless(skips: Skips = {}): Case & { skipIf(condition: boolean): Case } {
  const run: Case = (title, fn, timeout) => {
    const why = skips[title];
    if (why) it.skip(`${title} [not on this runner: ${why}]`, fn);
    else it(title, fn, timeout);
  };
  return Object.assign(run, { skipIf: (condition: boolean): Case => (condition ? (title, fn) => it.skip(title, fn) : run) });
}
