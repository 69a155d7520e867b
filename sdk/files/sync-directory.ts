/**
 * Durable renames on local disk: after a file is renamed into a directory, the directory itself
 * must be fsynced for the new entry to survive a power loss. Shared by the direct runner's
 * checkpoint store and the local storage backend of `io/` (sdk/ is what both may import).
 */
import { open } from 'node:fs/promises';

/** Fsyncs `dir`; where a file system cannot fsync a directory, the rename is as durable as it makes it. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw e;
  } finally {
    await handle.close();
  }
}
