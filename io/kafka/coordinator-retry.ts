/**
 * Retrying a group-coordinator request that kafkajs does not retry itself (admin `fetchOffsets`
 * sends OffsetFetch once): a coordinator that moved, is still loading its offsets (a broker just
 * started, or the offsets topic is being created on first use), or is not elected yet answers
 * with an error that says to ask again.
 */
/** kafkajs's names for Kafka's error codes 14, 15 and 16. */
const COORDINATOR_ERRORS = new Set(['GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR_FOR_GROUP']);

export function isCoordinatorError(e: unknown): boolean {
  const x = e as { type?: unknown } | undefined;
  return typeof x?.type === 'string' && COORDINATOR_ERRORS.has(x.type);
}

/** Runs `request`, again after a pause (0.1 s, doubling up to 3 s) while it fails with a
 *  coordinator error; at most `attempts` times. */
export async function withCoordinatorRetry<T>(request: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1, pause = 100; ; attempt++, pause = Math.min(3_000, pause * 2)) {
    try {
      return await request();
    } catch (e) {
      if (attempt >= attempts || !isCoordinatorError(e)) throw e;
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
