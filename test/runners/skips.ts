/**
 * Cases a runner cannot run, each with its reason (listed in docs/runners.md): the case is
 * reported as skipped with the reason in its title, never silently dropped.
 */
import { it } from 'vitest';

export type Skips = Readonly<Record<string, string>>;

/** `it`, unless `skips` names the case. */
export function caseUnless(skips: Skips = {}) {
  return (title: string, fn: () => Promise<void> | void, timeout?: number): void => {
    const why = skips[title];
    if (why) it.skip(`${title} [not on this runner: ${why}]`, fn);
    else it(title, fn, timeout);
  };
}
