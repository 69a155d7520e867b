/** One Prism for a portable bench variant. Started inside the measured variant: its start
 *  (well under a second once built) is part of what a user pays per job. */
import { startPrism, type PrismHandle } from '../../engines/prism.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';

let prism: PrismHandle | undefined;

/** What a portable variant's main-thread CPU leaves out (harness.ts `offMainThread`): Prism's
 *  work is in another process and the "plain" side (the direct runner) has none, so the two
 *  main-thread figures do not compare the same work. */
export const PRISM_CPU = { what: "Prism's process (grouping, the runner side) is not in Tributary's cpuMs", comparable: false } as const;

export async function portableRunner(): Promise<PortableRunner> {
  prism ??= await startPrism();
  return new PortableRunner({ jobEndpoint: prism.endpoint });
}

export async function stopPrism(): Promise<void> {
  await prism?.stop();
  prism = undefined;
}
