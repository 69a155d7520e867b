/**
 * Artifact staging, Beam's reverse protocol: the submitter opens
 * `ArtifactStagingService.ReverseArtifactRetrievalService` with the staging token it got from
 * Prepare, and then *answers* the job server's requests — resolve (we have nothing better than
 * what we listed: the artifacts come back unchanged) and get (the bytes, in chunks, the last
 * chunk marked `is_last`). The job server closes the stream once it has everything; it then
 * serves the artifacts to workers through its ArtifactRetrievalService, so a worker never reads
 * the submitter's disk.
 */
import { jobManagement as jm, pipeline as beam } from '../../portability-proto/index.js';
import { makeClient } from '../grpc/service.js';
import { PortableJobError } from './errors.js';
import { artifactStagingDefinition, type ArtifactStagingClient } from './services.js';

export const ARTIFACT_TYPE_FILE = 'beam:artifact:type:file:v1';
export const ARTIFACT_ROLE_STAGING_TO = 'beam:artifact:role:staging_to:v1';
const CHUNK_BYTES = 1 << 20;

/** One file to stage: its bytes, the name workers see, and the ArtifactInformation listing it. */
export interface StagedFile {
  readonly stagedName: string;
  readonly bytes: Uint8Array;
  /** Where the submitter keeps it (the `path` of the file artifact; only the submitter reads it). */
  readonly localPath: string;
}

/** The environment dependency that names `file` (file type, staging_to role). */
export function artifactInformation(file: StagedFile, sha256: string): beam.IArtifactInformation {
  return {
    typeUrn: ARTIFACT_TYPE_FILE,
    typePayload: beam.ArtifactFilePayload.encode({ path: file.localPath, sha256 }).finish(),
    roleUrn: ARTIFACT_ROLE_STAGING_TO,
    rolePayload: beam.ArtifactStagingToRolePayload.encode({ stagedName: file.stagedName }).finish(),
  };
}

/** Answers the job server's artifact requests until it closes the staging stream. */
export function stageArtifacts(endpoint: string, token: string, files: readonly StagedFile[]): Promise<void> {
  const byPath = new Map(files.map((f) => [f.localPath, f]));
  const client = makeClient<ArtifactStagingClient>(artifactStagingDefinition, 'ArtifactStagingService', endpoint);
  return new Promise<void>((resolvePromise, reject) => {
    const stream = client.ReverseArtifactRetrievalService();
    let failed = false;
    const fail = (e: Error) => {
      if (failed) return;
      failed = true;
      stream.cancel();
      reject(e);
    };
    stream.on('data', (req: jm.ArtifactRequestWrapper) => {
      if (req.resolveArtifact) {
        stream.write({ stagingToken: token, resolveArtifactResponse: { replacements: req.resolveArtifact.artifacts ?? [] } });
        return;
      }
      if (req.getArtifact) {
        const info = req.getArtifact.artifact;
        const path = info?.typeUrn === ARTIFACT_TYPE_FILE ? beam.ArtifactFilePayload.decode(info.typePayload ?? new Uint8Array()).path : undefined;
        const file = path === undefined ? undefined : byPath.get(path);
        if (!file) {
          fail(new PortableJobError(`the job server asked for an artifact this submission did not list (${info?.typeUrn ?? 'no type'} ${path ?? ''})`));
          return;
        }
        const { bytes } = file;
        for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
          stream.write({ stagingToken: token, isLast: false, getArtifactResponse: { data: bytes.subarray(at, Math.min(bytes.length, at + CHUNK_BYTES)) } });
        }
        // The end of the artifact in a message of its own: Prism stops at is_last before it writes
        // that message's data, so data sent with is_last is lost (a 3.5 MB bundle arrived as 3 MiB).
        stream.write({ stagingToken: token, isLast: true, getArtifactResponse: { data: new Uint8Array(0) } });
        return;
      }
      fail(new PortableJobError('the job server sent an artifact request of a kind this client does not know'));
    });
    stream.on('error', (e: Error) => fail(new PortableJobError(`artifact staging at ${endpoint} failed: ${e.message}`, { cause: e })));
    stream.on('end', () => {
      stream.end();
      if (!failed) resolvePromise();
    });
    // The first message only says which job the answers belong to.
    stream.write({ stagingToken: token });
  }).finally(() => client.close());
}
