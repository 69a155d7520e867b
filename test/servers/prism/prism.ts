/**
 * One Prism per test file: started before the file's tests (a cold `go install` on a bare machine
 * takes minutes, a cached start well under a second) and stopped after them.
 */
import { afterAll, beforeAll } from 'vitest';
import { startPrism, type PrismHandle } from '../../../engines/prism.js';

export function usePrism(): { readonly current: PrismHandle } {
  const holder = {} as { current: PrismHandle };
  beforeAll(async () => {
    holder.current = await startPrism();
  }, 30 * 60_000);
  afterAll(async () => {
    await holder.current?.stop();
  });
  return holder;
}
