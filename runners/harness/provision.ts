/**
 * The provision and artifact-retrieval calls a harness makes at start: what the runner says about
 * this worker (options, endpoints, dependencies), and the bytes of each staged artifact.
 */
import * as grpc from '@grpc/grpc-js';
import { fnExecution as fn, jobManagement as jm, pipeline as beam } from '../../portability-proto/index.js';
import { makeClient, waitReady } from '../grpc/service.js';
import { workerMetadata } from './data.js';
import { ArtifactRetrievalService, ProvisionService, SERVICE_NAMES } from './services.js';
import { HarnessStartError } from './errors.js';

export async function getProvisionInfo(url: string, workerId: string | undefined, timeoutMs = 30_000): Promise<fn.ProvisionInfo> {
  const client = makeClient<{ GetProvisionInfo(r: fn.IGetProvisionInfoRequest, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, r: fn.GetProvisionInfoResponse) => void): void }>(
    ProvisionService,
    SERVICE_NAMES.provision,
    url,
  );
  try {
    await reachable(client, url, 'provision', timeoutMs);
    const r = await new Promise<fn.GetProvisionInfoResponse>((resolve, reject) =>
      client.GetProvisionInfo({}, workerMetadata(workerId) ?? new grpc.Metadata(), (e, res) => (e ? reject(e) : resolve(res))),
    );
    if (!r.info) throw new HarnessStartError(`the provision service at ${url} answered without provision info`);
    return r.info as fn.ProvisionInfo;
  } catch (e) {
    if (e instanceof HarnessStartError) throw e;
    throw new HarnessStartError(`GetProvisionInfo at ${url} failed: ${(e as Error).message}`);
  } finally {
    client.close();
  }
}

/** The bytes of one staged artifact, fetched in the chunks the runner sends. */
export async function getArtifact(url: string, artifact: beam.IArtifactInformation, timeoutMs = 30_000): Promise<Uint8Array> {
  const client = makeClient<{ GetArtifact(r: jm.IGetArtifactRequest): grpc.ClientReadableStream<jm.GetArtifactResponse> }>(ArtifactRetrievalService, SERVICE_NAMES.artifactRetrieval, url);
  try {
    await reachable(client, url, 'artifact retrieval', timeoutMs);
    const chunks: Uint8Array[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.GetArtifact({ artifact });
      call.on('data', (r: jm.GetArtifactResponse) => chunks.push(r.data));
      call.on('end', () => resolve());
      call.on('error', (e: Error) => reject(e));
    });
    return Buffer.concat(chunks);
  } catch (e) {
    if (e instanceof HarnessStartError) throw e;
    throw new HarnessStartError(`GetArtifact (${artifact.typeUrn}, role ${artifact.roleUrn}) at ${url} failed: ${(e as Error).message}`);
  } finally {
    client.close();
  }
}

async function reachable(client: grpc.Client, url: string, what: string, timeoutMs: number): Promise<void> {
  try {
    await waitReady(client, timeoutMs);
  } catch {
    throw new HarnessStartError(
      `cannot reach the ${what} endpoint ${url} within ${Math.round(timeoutMs / 1000)} s: check that the runner is up and that this host can reach it ` +
        `(a worker started by hand needs the endpoints the runner printed, e.g. --provision_endpoint=localhost:PORT)`,
    );
  }
}
