/** Errors of the portable runner: each names the job server or transform and says what to do. */
import { TributaryError } from '../../sdk/errors.js';

/** Talking to the job server failed, or the job it ran failed. */
export class PortableJobError extends TributaryError {}

/** The job server at `endpoint` did not answer. */
export class JobEndpointUnreachableError extends PortableJobError {
  constructor(
    readonly endpoint: string,
    why: string,
    options?: { cause?: unknown },
  ) {
    super(
      `no Beam job server answers at ${endpoint} (${why}); start one (for example Beam's Prism: ` +
        `"prism --job_port=<port>", or "tributary flink-cluster start") and pass its Job API address as --jobEndpoint=host:port`,
      options,
    );
  }
}

/** A pipeline uses something the chosen runner cannot execute with the same results. */
export class PortableUnsupportedError extends TributaryError {
  constructor(
    readonly transform: string,
    readonly runner: string,
    what: string,
    hint: string,
  ) {
    super(`transform "${transform}" uses ${what}, which runner "${runner}" cannot execute: ${hint}`);
  }
}
