/**
 * The Job API and the artifact staging service as gRPC definitions over our generated messages,
 * with the client shapes the portable runner calls.
 */
import type * as grpc from '@grpc/grpc-js';
import { jobManagement as jm } from '../../portability-proto/index.js';
import { defineService } from '../grpc/service.js';

const JOB_SERVICE = 'org.apache.beam.model.job_management.v1.JobService';
const STAGING_SERVICE = 'org.apache.beam.model.job_management.v1.ArtifactStagingService';

export const jobServiceDefinition = defineService(JOB_SERVICE, {
  Prepare: { request: jm.PrepareJobRequest, response: jm.PrepareJobResponse },
  Run: { request: jm.RunJobRequest, response: jm.RunJobResponse },
  GetJobs: { request: jm.GetJobsRequest, response: jm.GetJobsResponse },
  GetState: { request: jm.GetJobStateRequest, response: jm.JobStateEvent },
  Cancel: { request: jm.CancelJobRequest, response: jm.CancelJobResponse },
  GetStateStream: { request: jm.GetJobStateRequest, response: jm.JobStateEvent, responseStream: true },
  GetMessageStream: { request: jm.JobMessagesRequest, response: jm.JobMessagesResponse, responseStream: true },
  GetJobMetrics: { request: jm.GetJobMetricsRequest, response: jm.GetJobMetricsResponse },
});

export const artifactStagingDefinition = defineService(STAGING_SERVICE, {
  ReverseArtifactRetrievalService: {
    request: jm.ArtifactResponseWrapper,
    response: jm.ArtifactRequestWrapper,
    requestStream: true,
    responseStream: true,
  },
});

type Unary<Req, Res> = (request: Req, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, res?: Res) => void) => grpc.ClientUnaryCall;

export interface JobServiceClient {
  Prepare: Unary<jm.IPrepareJobRequest, jm.PrepareJobResponse>;
  Run: Unary<jm.IRunJobRequest, jm.RunJobResponse>;
  GetJobs: Unary<jm.IGetJobsRequest, jm.GetJobsResponse>;
  GetState: Unary<jm.IGetJobStateRequest, jm.JobStateEvent>;
  Cancel: Unary<jm.ICancelJobRequest, jm.CancelJobResponse>;
  GetStateStream(request: jm.IGetJobStateRequest): grpc.ClientReadableStream<jm.JobStateEvent>;
  GetMessageStream(request: jm.IJobMessagesRequest): grpc.ClientReadableStream<jm.JobMessagesResponse>;
  GetJobMetrics: Unary<jm.IGetJobMetricsRequest, jm.GetJobMetricsResponse>;
}

export interface ArtifactStagingClient {
  ReverseArtifactRetrievalService(): grpc.ClientDuplexStream<jm.IArtifactResponseWrapper, jm.ArtifactRequestWrapper>;
}

/** A unary call as a promise, with a deadline. */
export function call<Req, Res>(method: Unary<Req, Res>, self: unknown, request: Req, timeoutMs: number): Promise<Res> {
  return new Promise((resolvePromise, reject) => {
    method.call(self, request, { deadline: Date.now() + timeoutMs }, (err, res) => (err ? reject(err) : resolvePromise(res!)));
  });
}
