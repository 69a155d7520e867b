/**
 * The state plane: one `BeamFnState.State` stream per runner endpoint. Requests carry an id and
 * the instruction they belong to; responses come back by id, in any order. A get follows
 * continuation tokens until the runner has sent every page.
 *
 * Reads are cached by the runner's cache tokens (`StateCache`): user state for as long as the
 * runner hands the same user-state token to the bundles, a side input for as long as its token
 * stays the same. Writes go through to the runner and update the cache.
 */
import * as grpc from '@grpc/grpc-js';
import { fnExecution as fn } from '../../portability-proto/index.js';
import { makeClient } from '../grpc/service.js';
import { workerMetadata } from './data.js';
import { SERVICE_NAMES, StateService } from './services.js';
import { TributaryError } from '../../sdk/errors.js';

interface StateStream extends grpc.ClientDuplexStream<fn.IStateRequest, fn.StateResponse> {}

export class StateError extends TributaryError {}

export class StateChannel {
  private readonly client: grpc.Client;
  private readonly stream: StateStream;
  private nextId = 0;
  private readonly waiting = new Map<string, { resolve(r: fn.StateResponse): void; reject(e: Error): void }>();
  private failure: Error | undefined;
  requests = 0;

  constructor(
    readonly url: string,
    workerId?: string,
  ) {
    this.client = makeClient(StateService, SERVICE_NAMES.state, url);
    this.stream = (this.client as unknown as { State(m?: grpc.Metadata): StateStream }).State(workerMetadata(workerId));
    this.stream.on('data', (r: fn.StateResponse) => {
      const w = this.waiting.get(r.id);
      if (!w) return;
      this.waiting.delete(r.id);
      if (r.error) w.reject(new StateError(`the runner refused a state request: ${r.error}`));
      else w.resolve(r);
    });
    this.stream.on('error', (e: Error) => this.fail(new StateError(`the state plane at ${url} failed: ${e.message}`)));
    this.stream.on('end', () => this.fail(new StateError(`the runner closed the state plane at ${url}`)));
  }

  /** Every page of the state at `key`, concatenated. */
  async get(instructionId: string, key: fn.IStateKey): Promise<Uint8Array> {
    const pages: Uint8Array[] = [];
    let token: Uint8Array | undefined;
    do {
      const r = await this.request({ instructionId, stateKey: key, get: token ? { continuationToken: token } : {} });
      pages.push(r.get?.data ?? new Uint8Array());
      const next = r.get?.continuationToken;
      token = next && next.length > 0 ? next : undefined;
    } while (token);
    return concat(pages);
  }

  async append(instructionId: string, key: fn.IStateKey, data: Uint8Array): Promise<void> {
    await this.request({ instructionId, stateKey: key, append: { data } });
  }

  async clear(instructionId: string, key: fn.IStateKey): Promise<void> {
    await this.request({ instructionId, stateKey: key, clear: {} });
  }

  close(): void {
    this.stream.end();
    this.client.close();
  }

  private request(req: fn.IStateRequest): Promise<fn.StateResponse> {
    if (this.failure) return Promise.reject(this.failure);
    const id = `s${++this.nextId}`;
    this.requests++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.stream.write({ ...req, id });
    });
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Cached state reads, scoped by the runner's cache tokens. An entry is valid while its token is
 * handed out again; entries of tokens no longer used are dropped when the cache passes its size.
 */
export class StateCache {
  private readonly byToken = new Map<string, Map<string, Uint8Array>>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes = 64 << 20) {}

  get(token: string | undefined, key: string): Uint8Array | undefined {
    if (token === undefined) return undefined;
    const v = this.byToken.get(token)?.get(key);
    if (v) this.hits++;
    else this.misses++;
    return v;
  }

  put(token: string | undefined, key: string, value: Uint8Array): void {
    if (token === undefined) return;
    let m = this.byToken.get(token);
    if (!m) this.byToken.set(token, (m = new Map()));
    const old = m.get(key);
    if (old) this.bytes -= old.length;
    m.set(key, value);
    this.bytes += value.length;
    if (this.bytes > this.maxBytes) this.evictExcept(token);
  }

  /** Keeps only the entries of `token` (the one in use); clears all if that is still too much. */
  private evictExcept(token: string): void {
    for (const [t, m] of this.byToken) {
      if (t === token) continue;
      for (const v of m.values()) this.bytes -= v.length;
      this.byToken.delete(t);
    }
    if (this.bytes > this.maxBytes) {
      this.byToken.clear();
      this.bytes = 0;
    }
  }
}

/** A state key as a cache key (its encoding). */
export function stateKeyId(key: fn.IStateKey): string {
  return Buffer.from(fn.StateKey.encode(key).finish()).toString('latin1');
}
