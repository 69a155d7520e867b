/**
 * The data plane: one `BeamFnData.Data` stream per runner endpoint, multiplexed over every
 * bundle in flight. Inbound chunks (elements and timers) are queued per instruction until its
 * bundle reads them — data may arrive before the ProcessBundle request that it belongs to.
 * Outbound bytes are batched per (instruction, transform[, timer family]) and sent when a batch
 * passes `flushBytes` or the bundle ends (`is_last`), several batches per message.
 *
 * Backpressure both ways: the stream is paused while more than `maxQueuedBytes` wait unread,
 * and a write that fills gRPC's buffer makes the sender wait for `drain`.
 */
import * as grpc from '@grpc/grpc-js';
import { fnExecution as fn } from '../../portability-proto/index.js';
import { makeClient } from '../grpc/service.js';
import { DataService, SERVICE_NAMES } from './services.js';

/** One chunk for a bundle: elements of a data source, or timers of a timer family. */
export interface InboundChunk {
  readonly kind: 'data' | 'timers';
  readonly transformId: string;
  readonly timerFamilyId: string;
  readonly bytes: Uint8Array;
  readonly isLast: boolean;
}

const DEFAULT_FLUSH_BYTES = 1 << 20;
const DEFAULT_MAX_QUEUED_BYTES = 64 << 20;

/** Chunks of one instruction, read in arrival order by its bundle. */
class Inbox {
  private readonly chunks: InboundChunk[] = [];
  private waiter: ((c: InboundChunk | undefined) => void) | undefined;
  private failure: Error | undefined;
  closed = false;

  constructor(private readonly onConsumed: (bytes: number) => void) {}

  push(c: InboundChunk): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      this.onConsumed(c.bytes.length);
      w(c);
    } else this.chunks.push(c);
  }

  fail(e: Error): void {
    this.failure = e;
    const w = this.waiter;
    this.waiter = undefined;
    w?.(undefined);
  }

  /** The next chunk; undefined once the channel failed (the error is then thrown). */
  async next(): Promise<InboundChunk> {
    const c = this.chunks.shift();
    if (c) {
      this.onConsumed(c.bytes.length);
      return c;
    }
    if (this.failure) throw this.failure;
    const got = await new Promise<InboundChunk | undefined>((resolve) => (this.waiter = resolve));
    if (!got) throw this.failure ?? new Error('data channel closed');
    return got;
  }
}

interface ElementsStream extends grpc.ClientDuplexStream<fn.IElements, fn.Elements> {}

export class DataChannel {
  private readonly client: grpc.Client & { Data(): ElementsStream };
  private readonly stream: ElementsStream;
  private readonly inboxes = new Map<string, Inbox>();
  private queuedBytes = 0;
  private paused = false;
  private failure: Error | undefined;
  /** Batches waiting to be sent in the next message. */
  private pendingData: fn.Elements.IData[] = [];
  private pendingTimers: fn.Elements.ITimers[] = [];
  private pendingBytes = 0;
  /** Bytes sent and received, for the data-plane figures. */
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    readonly url: string,
    private readonly opts: {
      readonly flushBytes?: number;
      readonly maxQueuedBytes?: number;
      readonly workerId?: string;
      /** A message's timers before its elements (see TIMERS_FIRST_EXPERIMENT). */
      readonly timersFirst?: boolean;
    } = {},
  ) {
    this.client = makeClient(DataService, SERVICE_NAMES.data, url);
    const metadata = workerMetadata(opts.workerId);
    this.stream = (this.client as unknown as { Data(m?: grpc.Metadata): ElementsStream }).Data(metadata);
    this.stream.on('data', (e: fn.Elements) => this.receive(e));
    this.stream.on('error', (e: Error) => this.fail(new Error(`the data plane at ${url} failed: ${e.message}`)));
    this.stream.on('end', () => this.fail(new Error(`the runner closed the data plane at ${url}`)));
  }

  get flushBytes(): number {
    return this.opts.flushBytes ?? DEFAULT_FLUSH_BYTES;
  }

  /** The chunks of `instructionId`, in arrival order (the ones that came early included). */
  inbox(instructionId: string): { next(): Promise<InboundChunk> } {
    return this.inboxFor(instructionId);
  }

  /** The bundle is over: drop what is left of its input. */
  release(instructionId: string): void {
    const box = this.inboxes.get(instructionId);
    this.inboxes.delete(instructionId);
    if (box) box.closed = true;
  }

  /** Queues one batch of encoded elements (or timers) for the next message. */
  send(instructionId: string, transformId: string, bytes: Uint8Array, isLast: boolean, timerFamilyId?: string): Promise<void> | undefined {
    if (this.failure) throw this.failure;
    if (timerFamilyId === undefined) this.pendingData.push({ instructionId, transformId, data: bytes, isLast });
    else this.pendingTimers.push({ instructionId, transformId, timerFamilyId, timers: bytes, isLast });
    this.pendingBytes += bytes.length;
    if (isLast || this.pendingBytes >= this.flushBytes) return this.flush();
  }

  /** Sends what is queued; resolves when gRPC can take more. */
  flush(): Promise<void> | undefined {
    if (this.pendingData.length === 0 && this.pendingTimers.length === 0) return;
    const message: fn.IElements = { data: this.pendingData, timers: this.pendingTimers };
    this.bytesSent += this.pendingBytes;
    this.pendingData = [];
    this.pendingTimers = [];
    this.pendingBytes = 0;
    if (this.stream.write(message)) return;
    return new Promise<void>((resolve) => this.stream.once('drain', resolve));
  }

  close(): void {
    this.stream.end();
    this.client.close();
  }

  private inboxFor(id: string): Inbox {
    let box = this.inboxes.get(id);
    if (!box) {
      box = new Inbox((n) => this.consumed(n));
      if (this.failure) box.fail(this.failure);
      this.inboxes.set(id, box);
    }
    return box;
  }

  private receive(e: fn.Elements): void {
    // Decoded messages carry every field (proto3 defaults), whatever the I-types allow.
    if (this.opts.timersFirst) this.receiveTimers(e);
    for (const d of e.data as fn.Elements.Data[]) {
      this.deliver(d.instructionId, { kind: 'data', transformId: d.transformId, timerFamilyId: '', bytes: d.data, isLast: d.isLast });
    }
    if (!this.opts.timersFirst) this.receiveTimers(e);
  }

  private receiveTimers(e: fn.Elements): void {
    for (const t of e.timers as fn.Elements.Timers[]) {
      this.deliver(t.instructionId, { kind: 'timers', transformId: t.transformId, timerFamilyId: t.timerFamilyId, bytes: t.timers, isLast: t.isLast });
    }
  }

  private deliver(instructionId: string, c: InboundChunk): void {
    const box = this.inboxFor(instructionId);
    if (box.closed) return;
    this.bytesReceived += c.bytes.length;
    this.queuedBytes += c.bytes.length;
    box.push(c);
    if (!this.paused && this.queuedBytes > (this.opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES)) {
      this.paused = true;
      this.stream.pause();
    }
  }

  private consumed(n: number): void {
    this.queuedBytes -= n;
    if (this.paused && this.queuedBytes <= (this.opts.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES) / 2) {
      this.paused = false;
      this.stream.resume();
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const box of this.inboxes.values()) box.fail(e);
  }
}

/** Beam runners tell workers apart by the `worker_id` header on every stream. */
export function workerMetadata(workerId: string | undefined): grpc.Metadata | undefined {
  if (!workerId) return undefined;
  const m = new grpc.Metadata();
  m.set('worker_id', workerId);
  return m;
}
