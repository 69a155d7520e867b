/**
 * Committing a Kafka read's position to its consumer group (`groupId`), so tools that watch the
 * group (lag monitors, `startAt: { committed: true }`) see how far the pipeline got. The read
 * emits its position after every batch on its `positions` output; this DoFn records it with the
 * group (kafkajs admin `setOffsets`; the read's own consumer is in another group, so the group
 * has no active member).
 *
 * Never ahead of a checkpoint: the DoFn asks for stable input, so with checkpointing on, the runner
 * hands it a position only once a durable checkpoint holds it (a restored job re-reads from that
 * checkpoint, never from the group). Without checkpointing it commits what was processed.
 */
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { DoFn } from '../../sdk/index.js';
import { withCoordinatorRetry } from './coordinator-retry.js';
import type { KafkaPositions } from './read-fn.js';

export class CommitOffsetsFn extends DoFn<KafkaPositions, never> {
  /** Act only on input a durable checkpoint holds (requires-stable-input). */
  readonly requiresStableInput = true;
  private admin: Admin | undefined;
  /** Last committed offset per partition: positions only move forward. */
  private readonly committed = new Map<string, number>();

  constructor(
    private readonly brokers: readonly string[],
    private readonly groupId: string,
  ) {
    super();
  }

  override async setup(): Promise<void> {
    this.admin = new Kafka({ clientId: 'tributary-commit', brokers: [...this.brokers], logLevel: logLevel.NOTHING }).admin();
    await this.admin.connect();
  }

  async process(positions: KafkaPositions): Promise<void> {
    const byTopic = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const p of positions.partitions) {
      const key = `${p.topic}/${p.partition}`;
      if ((this.committed.get(key) ?? -1) >= p.next) continue;
      this.committed.set(key, p.next);
      const list = byTopic.get(p.topic) ?? [];
      list.push({ partition: p.partition, offset: String(p.next) });
      byTopic.set(p.topic, list);
    }
    for (const [topic, partitions] of byTopic) await withCoordinatorRetry(() => this.admin!.setOffsets({ groupId: this.groupId, topic, partitions }));
  }

  override async teardown(): Promise<void> {
    await this.admin?.disconnect();
  }
}
