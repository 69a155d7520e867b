/** One Prism for a portable bench variant. Started inside the measured variant: its start
 *  (well under a second once built) is part of what a user pays per job. */
import { startPrism, type PrismHandle } from '../../engines/prism.js';
import { PortableRunner } from '../../runners/portable/portable-runner.js';

let prism: PrismHandle | undefined;

export async function portableRunner(): Promise<PortableRunner> {
  prism ??= await startPrism();
  return new PortableRunner({ jobEndpoint: prism.endpoint });
}

export async function stopPrism(): Promise<void> {
  await prism?.stop();
  prism = undefined;
}
