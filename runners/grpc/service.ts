/**
 * gRPC service definitions built from the static protobufjs classes in `portability-proto/`
 * (no .proto loading at run time): one `method(...)` per RPC, the path Beam's services use, so a
 * Beam runner on the other end of the socket sees the same service. Shared by the SDK harness
 * (Fn API, provision, artifact retrieval, worker pool) and the portable runner (Job API).
 */
import * as grpc from '@grpc/grpc-js';

/** What protobufjs generates for each message: encode to a writer, decode from bytes. */
export interface MessageClass<T> {
  encode(message: T): { finish(): Uint8Array };
  decode(bytes: Uint8Array): T;
  fromObject?(object: Record<string, unknown>): T;
}

export interface MethodSpec {
  readonly request: MessageClass<any>;
  readonly response: MessageClass<any>;
  readonly requestStream?: boolean;
  readonly responseStream?: boolean;
}

/** A service definition for `grpc.Server.addService` and `grpc.makeGenericClientConstructor`. */
export function defineService(fullName: string, methods: Readonly<Record<string, MethodSpec>>): grpc.ServiceDefinition {
  const def: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const [name, m] of Object.entries(methods)) {
    def[name] = {
      path: `/${fullName}/${name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: (v: unknown) => Buffer.from(m.request.encode(v).finish()),
      requestDeserialize: (b: Buffer) => m.request.decode(b),
      responseSerialize: (v: unknown) => Buffer.from(m.response.encode(v).finish()),
      responseDeserialize: (b: Buffer) => m.response.decode(b),
      originalName: name,
    };
  }
  return def as grpc.ServiceDefinition;
}

/** Messages of any size: bundles and artifacts can be large (Beam runners allow 2 GiB). */
export const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': 2 ** 31 - 1,
  'grpc.max_send_message_length': 2 ** 31 - 1,
};

/** A client of `service` at `url` (`host:port`, or Beam's `localhost:N` form). Plaintext: the
 *  Fn API runs between a runner and its workers on a trusted network. */
export function makeClient<C>(service: grpc.ServiceDefinition, serviceName: string, url: string): C & grpc.Client {
  const Ctor = grpc.makeGenericClientConstructor(service, serviceName);
  return new Ctor(stripScheme(url), grpc.credentials.createInsecure(), CHANNEL_OPTIONS) as unknown as C & grpc.Client;
}

/** Starts a server on `host:port` (port 0: any free port); resolves with the bound port. */
export function startServer(server: grpc.Server, address = '127.0.0.1:0'): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
  });
}

/** Stops a server: lets calls in flight finish for up to `graceMs`, then cuts what is left (a
 *  peer that keeps a call open, e.g. a job server with a request to a pool whose job has ended,
 *  would otherwise hold the shutdown forever). */
export async function stopServer(server: grpc.Server, graceMs = 1000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const graceful = new Promise<boolean>((resolve) => server.tryShutdown(() => resolve(true)));
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)));
  const clean = await Promise.race([graceful, late]);
  clearTimeout(timer);
  if (!clean) server.forceShutdown();
}

function stripScheme(url: string): string {
  return url.replace(/^(dns:\/\/\/|ipv4:|http:\/\/)/, '');
}

/** Waits until the channel to `client` is ready, or fails after `timeoutMs`. */
export function waitReady(client: grpc.Client, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => client.waitForReady(Date.now() + timeoutMs, (err) => (err ? reject(err) : resolve())));
}
