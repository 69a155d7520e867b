/** Why a harness could not start or stopped: each says what to do. */
import { TributaryError } from '../../sdk/errors.js';

/** The harness could not start: a flag, an endpoint, an artifact, the program. */
export class HarnessStartError extends TributaryError {}

/** A bundle descriptor asks for something this harness cannot execute. */
export class UnsupportedByHarnessError extends TributaryError {}
