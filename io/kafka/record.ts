/**
 * What `KafkaIO.read` emits: one `KafkaRecord` per record that decoded, and one
 * `KafkaDeadLetter` (on the `deadLetter` output, counted in `kafka/undecodable`) per record that
 * did not. Both keep where the record came from, so a dead letter can be found and replayed.
 */
export interface KafkaRecord<V> {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** The record's key as UTF-8 text, or null. */
  readonly key: string | null;
  readonly value: V;
  /** Kafka's record timestamp (epoch ms): create time or log-append time, per the topic. */
  readonly timestamp: number;
  /** Header values as UTF-8 text (the last one wins when a name repeats). */
  readonly headers: Readonly<Record<string, string>>;
}

export interface KafkaDeadLetter {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The undecodable value, as received. */
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  /** Why it could not be decoded (or had no usable event time). */
  readonly error: string;
}

/** `topic/partition`: the key of a partition in restrictions, maps and metrics. */
export function partitionKey(topic: string, partition: number): string {
  return `${topic}/${partition}`;
}
