/**
 * Submitting a pipeline proto to any Beam job server and following it: Prepare, stage the
 * artifacts, Run, then the state and message streams until a final state. This is the part the
 * `portable` and `flink` runners share: they differ in how they build the proto and where the job
 * server comes from, not in how they talk to it.
 */
import type * as grpc from '@grpc/grpc-js';
import { jobManagement as jm, pipeline as beam, protobuf } from '../../portability-proto/index.js';
import { makeClient, waitReady } from '../grpc/service.js';
import { JobEndpointUnreachableError, PortableJobError } from './errors.js';
import { call, jobServiceDefinition, type JobServiceClient } from './services.js';
import { stageArtifacts, type StagedFile } from './staging.js';

export interface SubmitRequest {
  /** The job server's Job API, `host:port`. */
  readonly endpoint: string;
  readonly pipeline: beam.IPipeline;
  /** Pipeline options as the job server sees them (a Struct; runners read their own keys). */
  readonly options?: Readonly<Record<string, unknown>>;
  readonly jobName?: string;
  /** Files the environments list as dependencies, served to the job server when it asks. */
  readonly artifacts?: readonly StagedFile[];
  /** How long to wait for the job server to answer at all (default 10 s). */
  readonly connectTimeoutMs?: number;
  /** Each job message as it arrives (default: none). */
  readonly onMessage?: (message: jm.IJobMessage) => void;
  /** Each state change as it arrives. */
  readonly onState?: (state: JobStateName) => void;
}

export type JobStateName = keyof typeof jm.JobState.Enum;

/** How long a final state waits for the job's last messages (the cause of a failure). */
const MESSAGES_GRACE_MS = 5000;

const FINAL: ReadonlySet<JobStateName> = new Set(['DONE', 'FAILED', 'CANCELLED', 'UPDATED', 'DRAINED']);

export interface SubmittedJob {
  readonly jobId: string;
  readonly endpoint: string;
  /** The latest state the job server reported. */
  readonly state: JobStateName;
  /** Resolves with the final state (DONE, FAILED, CANCELLED, ...), never rejects on a failed job. */
  waitUntilFinish(): Promise<JobStateName>;
  /** Asks the job server to cancel the job. */
  cancel(): Promise<void>;
  /** The job's metrics as the job server aggregates them (committed, else attempted: Prism
   *  reports the workers' metrics as committed, other runners as attempted). */
  metrics(): Promise<beam.IMonitoringInfo[]>;
  /** Error and warning messages the job server sent, newest last. */
  readonly errors: readonly string[];
  /** Closes the connection (after the job ended). */
  close(): void;
}

/** Prepares, stages and runs a job; resolves once the job server has accepted it. */
export async function submitJob(req: SubmitRequest): Promise<SubmittedJob> {
  const endpoint = req.endpoint;
  const client = makeClient<JobServiceClient>(jobServiceDefinition, 'JobService', endpoint);
  try {
    await waitReady(client, req.connectTimeoutMs ?? 10_000);
  } catch (e) {
    client.close();
    throw new JobEndpointUnreachableError(endpoint, `not reachable within ${req.connectTimeoutMs ?? 10_000} ms: ${(e as Error).message}`, { cause: e });
  }
  try {
    const prepared = await rpc('Prepare', () =>
      call(client.Prepare, client, { pipeline: req.pipeline, pipelineOptions: toStruct(req.options ?? {}), jobName: req.jobName ?? 'tributary' }, 60_000),
    );
    const stagingUrl = prepared.artifactStagingEndpoint?.url || endpoint;
    await stageArtifacts(stagingUrl, prepared.stagingSessionToken, req.artifacts ?? []);
    const run = await rpc('Run', () => call(client.Run, client, { preparationId: prepared.preparationId, retrievalToken: prepared.stagingSessionToken }, 60_000));
    return followJob(client, endpoint, run.jobId, req);
  } catch (e) {
    client.close();
    throw e;
  }
}

async function rpc<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const details = (e as grpc.ServiceError).details ?? (e as Error).message;
    throw new PortableJobError(`the job server refused ${what}: ${details}`, { cause: e });
  }
}

function followJob(client: JobServiceClient & grpc.Client, endpoint: string, jobId: string, req: SubmitRequest): SubmittedJob {
  let state: JobStateName = 'STARTING';
  const errors: string[] = [];
  let settle!: (s: JobStateName) => void;
  const finished = new Promise<JobStateName>((r) => (settle = r));
  const setState = (s: JobStateName) => {
    if (FINAL.has(state)) return;
    state = s;
    req.onState?.(s);
    if (FINAL.has(s)) settle(s);
  };
  const states = client.GetStateStream({ jobId });
  states.on('data', (ev: jm.JobStateEvent) => setState(stateName(ev.state)));
  states.on('error', (e: grpc.ServiceError) => {
    if (FINAL.has(state)) return;
    // The stream can end with the job (Prism closes it); ask once more for the state.
    void call(client.GetState, client, { jobId }, 10_000).then(
      (ev) => setState(FINAL.has(stateName(ev.state)) ? stateName(ev.state) : 'FAILED'),
      () => {
        errors.push(`lost the job server at ${endpoint}: ${e.details ?? e.message}`);
        setState('FAILED');
      },
    );
  });
  states.on('end', () => {
    if (FINAL.has(state)) return;
    void call(client.GetState, client, { jobId }, 10_000).then(
      (ev) => setState(stateName(ev.state)),
      () => setState('FAILED'),
    );
  });
  const messages = client.GetMessageStream({ jobId });
  messages.on('data', (m: jm.JobMessagesResponse) => {
    if (m.messageResponse) {
      const msg = m.messageResponse;
      req.onMessage?.(msg);
      const imp = msg.importance ?? 0;
      if (imp >= jm.JobMessage.MessageImportance.JOB_MESSAGE_ERROR && msg.messageText) errors.push(msg.messageText);
    } else if (m.stateResponse) {
      setState(stateName(m.stateResponse.state));
    }
  });
  // Message streams end or fail with the job; the state stream decides. A job server may send
  // the failure's cause as the stream's last message after the state stream said FAILED (Prism
  // does): a final state is reported once the message stream has ended too, or after a grace.
  let messagesEnded!: () => void;
  const ended = new Promise<void>((r) => (messagesEnded = r));
  messages.on('error', () => messagesEnded());
  messages.on('end', () => messagesEnded());
  messages.on('close', () => messagesEnded());
  const reported = finished.then(async (s) => {
    let grace: NodeJS.Timeout | undefined;
    await Promise.race([ended, new Promise<void>((r) => (grace = setTimeout(r, MESSAGES_GRACE_MS)))]);
    clearTimeout(grace);
    return s;
  });
  return {
    jobId,
    endpoint,
    get state() {
      return state;
    },
    errors,
    waitUntilFinish: () => reported,
    async cancel() {
      if (FINAL.has(state)) return;
      await rpc('Cancel', () => call(client.Cancel, client, { jobId }, 30_000));
    },
    async metrics() {
      const res = await rpc('GetJobMetrics', () => call(client.GetJobMetrics, client, { jobId }, 30_000));
      return res.metrics?.committed?.length ? res.metrics.committed : (res.metrics?.attempted ?? []);
    },
    close() {
      states.cancel();
      messages.cancel();
      client.close();
    },
  };
}

function stateName(s: jm.JobState.Enum | null | undefined): JobStateName {
  return (jm.JobState.Enum[s ?? 0] as JobStateName | undefined) ?? 'UNSPECIFIED';
}

/** Plain JSON values as a google.protobuf.Struct. */
export function toStruct(values: Readonly<Record<string, unknown>>): protobuf.IStruct {
  const fields: Record<string, protobuf.IValue> = {};
  for (const [k, v] of Object.entries(values)) if (v !== undefined) fields[k] = toValue(v);
  return { fields };
}

function toValue(v: unknown): protobuf.IValue {
  if (v === null || v === undefined) return { nullValue: protobuf.NullValue.NULL_VALUE };
  if (typeof v === 'number') return { numberValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'bigint') return { stringValue: v.toString() };
  if (Array.isArray(v)) return { listValue: { values: v.map(toValue) } };
  if (v instanceof Date) return { stringValue: v.toISOString() };
  if (typeof v === 'object') return { structValue: toStruct(v as Record<string, unknown>) };
  return { stringValue: String(v) };
}
