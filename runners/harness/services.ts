/**
 * The Fn API services a harness talks to (as a client) or serves (the external worker pool),
 * under Beam's service names so any Beam runner is a peer.
 */
import { fnExecution as fn, jobManagement as jm } from '../../portability-proto/index.js';
import { defineService } from '../grpc/service.js';

const FN = 'org.apache.beam.model.fn_execution.v1';
const JM = 'org.apache.beam.model.job_management.v1';

export const SERVICE_NAMES = {
  control: `${FN}.BeamFnControl`,
  data: `${FN}.BeamFnData`,
  state: `${FN}.BeamFnState`,
  logging: `${FN}.BeamFnLogging`,
  provision: `${FN}.ProvisionService`,
  workerPool: `${FN}.BeamFnExternalWorkerPool`,
  artifactRetrieval: `${JM}.ArtifactRetrievalService`,
} as const;

export const ControlService = defineService(SERVICE_NAMES.control, {
  Control: { request: fn.InstructionResponse, response: fn.InstructionRequest, requestStream: true, responseStream: true },
  GetProcessBundleDescriptor: { request: fn.GetProcessBundleDescriptorRequest, response: fn.ProcessBundleDescriptor },
});

export const DataService = defineService(SERVICE_NAMES.data, {
  Data: { request: fn.Elements, response: fn.Elements, requestStream: true, responseStream: true },
});

export const StateService = defineService(SERVICE_NAMES.state, {
  State: { request: fn.StateRequest, response: fn.StateResponse, requestStream: true, responseStream: true },
});

export const LoggingService = defineService(SERVICE_NAMES.logging, {
  Logging: { request: fn.LogEntry.List, response: fn.LogControl, requestStream: true, responseStream: true },
});

export const ProvisionService = defineService(SERVICE_NAMES.provision, {
  GetProvisionInfo: { request: fn.GetProvisionInfoRequest, response: fn.GetProvisionInfoResponse },
});

export const WorkerPoolService = defineService(SERVICE_NAMES.workerPool, {
  StartWorker: { request: fn.StartWorkerRequest, response: fn.StartWorkerResponse },
  StopWorker: { request: fn.StopWorkerRequest, response: fn.StopWorkerResponse },
});

export const ArtifactRetrievalService = defineService(SERVICE_NAMES.artifactRetrieval, {
  ResolveArtifacts: { request: jm.ResolveArtifactsRequest, response: jm.ResolveArtifactsResponse },
  GetArtifact: { request: jm.GetArtifactRequest, response: jm.GetArtifactResponse, responseStream: true },
});
