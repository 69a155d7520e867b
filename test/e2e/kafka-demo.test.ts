/**
 * `npm start -- --realtime=kafka` (examples/kafka-demo.ts) at the demo's default size: a plain
 * backfill of three days against a backfill job up to the cut plus a realtime job reading Kafka
 * from its checkpoint. Four day-3 sessions used to come out ON_TIME #0 instead of EARLY #0 +
 * ON_TIME #1: each trip end was followed by a quiet hour on the partition, so the Kafka read's
 * watermark passed the end message and the session's end in one step (the backfill steps an
 * hour at a time). Event timers now fire one by one, each with the watermark just past it
 * (test/trigger/element-predicate.test.ts), and the two agree pane for pane. The same handoff in
 * one job agrees too (its Kafka read waits for the backfill to be done).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { kafkaDemo } from '../../examples/kafka-demo.js';
import { demoDefaults } from '../../examples/kappa-demo.js';
import { KAFKA_START_TIMEOUT_MS } from '../servers/kafka/broker.js';

const roots: string[] = [];
afterAll(async () => {
  for (const r of roots) await rm(r, { recursive: true, force: true });
});

describe('npm start -- --realtime=kafka', () => {
  it('backfill-then-Kafka gives the plain backfill\'s 108 panes, early firings included', async () => {
    const root = await mkdtemp(join(tmpdir(), 'kafka-demo-'));
    roots.push(root);
    const lines: string[] = [];
    const agreed = await kafkaDemo({ ...demoDefaults, warehouse: join(root, 'wh'), progress: 'off' }, (l) => lines.push(l));
    const out = lines.join('\n');
    expect(agreed, out).toBe(true);
    expect(out).toContain('backfill and backfill-then-Kafka agree: 108 panes');
    // In one job the live read starts once the backfill is done; before, it read the whole day
    // while the backfill ran, and every day-3 session came out as one ON_TIME #0 pane.
    expect(out).toContain('backfill and backfill-then-Kafka in one job agree: 108 panes');
    expect(out).toMatch(/realtime job: \d+ Kafka records from the checkpoint's offsets/);
  }, KAFKA_START_TIMEOUT_MS);
});
