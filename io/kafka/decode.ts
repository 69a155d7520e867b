/**
 * Turning a fetched Kafka message into a `KafkaRecord` with its event time, or into the reason
 * it cannot be one (which sends it to the dead-letter output).
 */
import type { KafkaEventTime, KafkaValueFormat } from './options.js';
import type { KafkaRecord } from './record.js';

/** The parts of a kafkajs message the read uses. */
export interface FetchedMessage {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export type Decoded<V> = { readonly ok: true; readonly record: KafkaRecord<V>; readonly eventTime: number } | { readonly ok: false; readonly error: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeMessage<V>(topic: string, partition: number, m: FetchedMessage, format: KafkaValueFormat, eventTime: KafkaEventTime): Decoded<V> {
  let value: unknown;
  try {
    value = decodeValue(m.value, format);
  } catch (e) {
    return { ok: false, error: `value is not ${format === 'json' ? 'JSON' : 'UTF-8 text'}: ${(e as Error).message}` };
  }
  const headers = textHeaders(m.headers);
  const timestamp = Number(m.timestamp);
  let ts: unknown;
  if (eventTime === 'recordTimestamp') ts = timestamp;
  else if ('header' in eventTime) ts = headers[eventTime.header] === undefined ? undefined : Number(headers[eventTime.header]);
  else ts = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[eventTime.field] : undefined;
  if (typeof ts !== 'number' || !Number.isFinite(ts)) {
    const from = eventTime === 'recordTimestamp' ? 'the record timestamp' : 'header' in eventTime ? `header "${eventTime.header}"` : `field "${eventTime.field}"`;
    return { ok: false, error: `no usable event time in ${from} (got ${String(ts)}; expected epoch milliseconds)` };
  }
  const record: KafkaRecord<V> = {
    topic,
    partition,
    offset: Number(m.offset),
    key: m.key === null ? null : m.key.toString('utf8'),
    value: value as V,
    timestamp,
    headers,
  };
  return { ok: true, record, eventTime: Math.floor(ts) };
}

function decodeValue(bytes: Buffer | null, format: KafkaValueFormat): unknown {
  if (bytes === null) return null;
  if (format === 'bytes') return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength).slice();
  const text = utf8.decode(bytes);
  return format === 'string' ? text : JSON.parse(text);
}

function textHeaders(h: FetchedMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  for (const [name, v] of Object.entries(h)) {
    if (v === undefined) continue;
    const last = Array.isArray(v) ? v[v.length - 1] : v;
    if (last !== undefined) out[name] = typeof last === 'string' ? last : last.toString('utf8');
  }
  return out;
}
