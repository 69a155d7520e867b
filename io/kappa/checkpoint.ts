/**
 * The replay position on local disk: one JSON file replaced atomically (write, then rename), so
 * a crash leaves either the old position or the new one, never a torn file.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReplayPosition } from './position.js';

const FILE = 'replay-position.json';

export async function saveCheckpoint(dir: string, position: ReplayPosition): Promise<void> {
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `${FILE}.tmp`);
  await writeFile(tmp, JSON.stringify(position));
  await rename(tmp, join(dir, FILE));
}

export async function loadCheckpoint(dir: string): Promise<ReplayPosition | undefined> {
  let text: string;
  try {
    text = await readFile(join(dir, FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const parsed = JSON.parse(text) as Partial<ReplayPosition>;
  if (typeof parsed.step !== 'number' || !Array.isArray(parsed.finished)) {
    throw new Error(`${join(dir, FILE)} is not a replay position (expected {"step": n, "finished": [...]}); delete it to start over`);
  }
  return { step: parsed.step, finished: parsed.finished };
}
