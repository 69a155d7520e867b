/**
 * The control plane: the harness connects to the runner's `BeamFnControl.Control` stream, and
 * for each `InstructionRequest` the runner sends it answers one `InstructionResponse` with the
 * same id. Instructions run concurrently (bundles of several stages may be in flight); a failed
 * instruction answers with its error text, never with silence.
 */
import * as grpc from '@grpc/grpc-js';
import { fnExecution as fn } from '../../portability-proto/index.js';
import { makeClient } from '../grpc/service.js';
import { workerMetadata } from './data.js';
import { errorText } from './error-text.js';
import { ControlService, SERVICE_NAMES } from './services.js';

/** What answers each kind of instruction (the oneof field of `InstructionRequest`). */
export type InstructionHandler = (req: fn.InstructionRequest) => Promise<fn.IInstructionResponse>;

interface ControlStream extends grpc.ClientDuplexStream<fn.IInstructionResponse, fn.InstructionRequest> {}

export class ControlChannel {
  private readonly client: grpc.Client & {
    GetProcessBundleDescriptor(r: fn.IGetProcessBundleDescriptorRequest, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, d: fn.ProcessBundleDescriptor) => void): void;
  };
  private stream: ControlStream | undefined;
  /** Resolves when the runner ends the stream (the worker should exit), rejects if it breaks. */
  readonly done: Promise<void>;
  private settle!: { resolve(): void; reject(e: Error): void };
  private inFlight = 0;

  constructor(
    readonly url: string,
    private readonly workerId: string | undefined,
    private readonly handle: InstructionHandler,
  ) {
    this.client = makeClient(ControlService, SERVICE_NAMES.control, url);
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
  }

  start(): void {
    const stream = (this.client as unknown as { Control(m?: grpc.Metadata): ControlStream }).Control(workerMetadata(this.workerId));
    this.stream = stream;
    stream.on('data', (req: fn.InstructionRequest) => void this.dispatch(req));
    stream.on('end', () => this.settle.resolve());
    stream.on('error', (e: grpc.ServiceError) => {
      // The runner going away at the end of a job shows as CANCELLED or UNAVAILABLE: an end.
      if (e.code === grpc.status.CANCELLED || e.code === grpc.status.UNAVAILABLE) this.settle.resolve();
      else this.settle.reject(new Error(`the control plane at ${this.url} failed: ${e.message}`));
    });
  }

  /** A descriptor the runner registered by id only. */
  descriptor(id: string): Promise<fn.ProcessBundleDescriptor> {
    return new Promise((resolve, reject) =>
      this.client.GetProcessBundleDescriptor({ processBundleDescriptorId: id }, workerMetadata(this.workerId) ?? new grpc.Metadata(), (e, d) =>
        e ? reject(new Error(`GetProcessBundleDescriptor("${id}") failed: ${e.message}`)) : resolve(d),
      ),
    );
  }

  get instructionsInFlight(): number {
    return this.inFlight;
  }

  close(): void {
    this.stream?.end();
    this.client.close();
  }

  private async dispatch(req: fn.InstructionRequest): Promise<void> {
    this.inFlight++;
    let response: fn.IInstructionResponse;
    try {
      response = { ...(await this.handle(req)), instructionId: req.instructionId };
    } catch (e) {
      response = { instructionId: req.instructionId, error: errorText(e) };
    } finally {
      this.inFlight--;
    }
    this.stream?.write(response);
  }
}
