/** Group-coordinator requests kafkajs sends once are asked again while the coordinator moves or loads. */
import { describe, expect, it } from 'vitest';
import { withCoordinatorRetry } from '../../../io/kafka/coordinator-retry.js';

const kafkaError = (type: string) => Object.assign(new Error(type), { type });

describe('withCoordinatorRetry', () => {
  it('asks again after "not the coordinator" and "loading", and returns the answer', async () => {
    const answers = [kafkaError('NOT_COORDINATOR_FOR_GROUP'), kafkaError('GROUP_LOAD_IN_PROGRESS'), 'offsets'];
    let calls = 0;
    const got = await withCoordinatorRetry(async () => {
      const a = answers[calls++]!;
      if (a instanceof Error) throw a;
      return a;
    });
    expect({ got, calls }).toEqual({ got: 'offsets', calls: 3 });
  });

  it('passes any other error on at once, and gives up after the attempts allowed', async () => {
    let calls = 0;
    await expect(withCoordinatorRetry(async () => (calls++, Promise.reject(kafkaError('INVALID_PRODUCER_EPOCH'))))).rejects.toThrow('INVALID_PRODUCER_EPOCH');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withCoordinatorRetry(async () => (calls++, Promise.reject(kafkaError('GROUP_COORDINATOR_NOT_AVAILABLE'))), 2)).rejects.toThrow('GROUP_COORDINATOR_NOT_AVAILABLE');
    expect(calls).toBe(2);
  });
});
