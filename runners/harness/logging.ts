/**
 * The logging plane: the harness's own messages and its user code's failures go to the runner
 * as `LogEntry` lists, batched (every `flushMs`, or every `maxBatch` entries). Without a logging
 * endpoint, or once it failed, entries go to stderr instead: a message is never lost silently.
 */
import * as grpc from '@grpc/grpc-js';
import { fnExecution as fn, protobuf } from '../../portability-proto/index.js';
import { makeClient } from '../grpc/service.js';
import { workerMetadata } from './data.js';
import { LoggingService, SERVICE_NAMES } from './services.js';

export type Severity = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

export interface LogContext {
  readonly instructionId?: string;
  readonly transformId?: string;
}

export interface HarnessLogger {
  log(severity: Severity, message: string, ctx?: LogContext, trace?: string): void;
  close(): Promise<void>;
}

interface LogStream extends grpc.ClientDuplexStream<fn.LogEntry.IList, fn.LogControl> {}

export class LoggingChannel implements HarnessLogger {
  private readonly client: grpc.Client;
  private readonly stream: LogStream;
  private batch: fn.ILogEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private broken = false;
  private closing = false;

  constructor(
    readonly url: string,
    workerId?: string,
    private readonly flushMs = 500,
    private readonly maxBatch = 200,
  ) {
    this.client = makeClient(LoggingService, SERVICE_NAMES.logging, url);
    this.stream = (this.client as unknown as { Logging(m?: grpc.Metadata): LogStream }).Logging(workerMetadata(workerId));
    this.stream.on('data', () => undefined);
    this.stream.on('error', (e: Error) => {
      if (this.closing) return;
      if (!this.broken) process.stderr.write(`tributary harness: the logging plane at ${url} failed (${e.message}); logging to stderr\n`);
      this.broken = true;
    });
  }

  log(severity: Severity, message: string, ctx: LogContext = {}, trace?: string): void {
    if (this.broken) return stderrLogger.log(severity, message, ctx, trace);
    const now = Date.now();
    this.batch.push({
      severity: fn.LogEntry.Severity.Enum[severity],
      timestamp: protobuf.Timestamp.fromObject({ seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 }),
      message,
      trace: trace ?? '',
      instructionId: ctx.instructionId ?? '',
      transformId: ctx.transformId ?? '',
      logLocation: 'tributary-harness',
      thread: String(process.pid),
    });
    if (this.batch.length >= this.maxBatch || severity === 'ERROR') this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0 || this.broken) return;
    const entries = this.batch;
    this.batch = [];
    this.stream.write({ logEntries: entries });
  }

  async close(): Promise<void> {
    this.flush();
    this.closing = true;
    await new Promise<void>((resolve) => {
      this.stream.once('finish', () => resolve());
      this.stream.end();
      setTimeout(resolve, 1000).unref();
    });
    this.client.close();
  }
}

/** Where logs go when there is no logging endpoint. */
export const stderrLogger: HarnessLogger = {
  log(severity, message, ctx = {}, trace) {
    const where = [ctx.instructionId && `instruction ${ctx.instructionId}`, ctx.transformId && `transform ${ctx.transformId}`].filter(Boolean).join(', ');
    process.stderr.write(`tributary harness ${severity}${where ? ` (${where})` : ''}: ${message}${trace ? `\n${trace}` : ''}\n`);
  },
  async close() {},
};
