/**
 * Debian's Chromium for the browser tests, driven by playwright-core (no browser download: this
 * machine reaches package registries only). A bare machine gets the package installed here, as
 * root with apt-get, the way CI starts; anywhere else the error says what to install.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export async function chromiumPath(): Promise<string> {
  const found = () => [process.env.CHROMIUM_PATH, ...CANDIDATES].find((p): p is string => !!p && existsSync(p));
  const have = found();
  if (have) return have;
  const canInstall = process.getuid?.() === 0 && existsSync('/usr/bin/apt-get');
  if (!canInstall) {
    throw new Error('the job-page test needs Chromium: install the Debian package "chromium" (apt-get install chromium), or set CHROMIUM_PATH to a Chromium binary');
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args: string[]) => run('apt-get', args, { env, timeout: 12 * 60_000, maxBuffer: 64 * 1024 * 1024 });
  try {
    await apt(['install', '-y', '--no-install-recommends', 'chromium']);
  } catch {
    // A fresh machine has no package lists yet.
    await apt(['update']);
    await apt(['install', '-y', '--no-install-recommends', 'chromium']);
  }
  const installed = found();
  if (!installed) throw new Error('apt-get installed "chromium" but no Chromium binary is at /usr/bin/chromium');
  return installed;
}
