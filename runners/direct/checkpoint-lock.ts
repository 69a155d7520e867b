/**
 * One job per checkpoint directory: a lock file created exclusively, holding the owner's pid and
 * host. A lock left by a process that no longer runs on this host (a job killed with SIGKILL) is
 * stale and taken over, with a message saying so; a lock of a live process, or of another host
 * (whose processes cannot be checked from here), refuses the run.
 */
import { hostname } from 'node:os';
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointLockedError } from './checkpoint-errors.js';

const LOCK = 'checkpoint.lock';

interface LockOwner {
  readonly pid: number;
  readonly host: string;
  readonly since: string;
}

export class CheckpointLock {
  private constructor(private readonly file: string) {}

  /** Takes the lock of `dir`; `report` hears about a stale lock taken over. */
  static async acquire(dir: string, report: (message: string) => void): Promise<CheckpointLock> {
    const file = join(dir, LOCK);
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
      try {
        const handle = await open(file, 'wx', 0o600);
        try {
          await handle.writeFile(JSON.stringify(me));
          await handle.sync();
        } finally {
          await handle.close();
        }
        return new CheckpointLock(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw e;
      }
      const owner = await readOwner(file);
      if (owner && (owner.host !== me.host || isAlive(owner.pid))) {
        throw new CheckpointLockedError(dir, owner.host === me.host ? `process ${owner.pid} (since ${owner.since})` : `process ${owner.pid} on host ${owner.host} (since ${owner.since})`);
      }
      report(
        owner
          ? `checkpoint: ${file} was left by process ${owner.pid} (since ${owner.since}), which is no longer running; taking it over`
          : `checkpoint: ${file} is unreadable (a crash while it was written); taking it over`,
      );
      await unlink(file).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    }
  }

  async release(): Promise<void> {
    const owner = await readOwner(this.file);
    if (owner?.pid === process.pid) await unlink(this.file).catch(() => undefined);
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    const o = JSON.parse(await readFile(file, 'utf8')) as Partial<LockOwner>;
    if (typeof o.pid === 'number' && typeof o.host === 'string') return { pid: o.pid, host: o.host, since: String(o.since) };
  } catch {
    // unreadable: treated as stale
  }
  return undefined;
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
