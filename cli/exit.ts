/**
 * Ending the process without losing what it printed. On POSIX, writes to a pipe are asynchronous
 * (Node's "note on process I/O"): when the reader is slower than the job (a loaded machine, `| less`,
 * a test collecting output), what does not fit in the pipe waits in the process, and a bare
 * `process.exit` drops it — a run would exit 0 having printed only part of its output. The CLI
 * still exits explicitly, so a stray handle in user code cannot hold the process open.
 */
export async function exitAfterOutput(code: number, options: { maxWaitMs?: number } = {}): Promise<never> {
  const all = Promise.all([process.stdout, process.stderr].map(flushed));
  // A process told to stop (SIGTERM) must stop even when nobody reads its output any more.
  if (options.maxWaitMs === undefined) await all;
  else await Promise.race([all, new Promise((resolve) => setTimeout(resolve, options.maxWaitMs).unref())]);
  process.exit(code);
}

/** Resolves once everything written to `stream` before now has left the process (or cannot). */
function flushed(stream: NodeJS.WriteStream): Promise<void> {
  if (stream.destroyed || !stream.writable) return Promise.resolve();
  // Writes are ordered: an empty write's callback runs after every earlier write is flushed.
  return new Promise((resolve) => stream.write('', () => resolve()));
}
