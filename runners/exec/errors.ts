/**
 * Errors raised while a pipeline runs, shared by every runner that executes user functions
 * (the direct runner and the Fn API harness). Each names the transform, side input, timer or
 * output tag involved, and says what to change.
 */
import { TributaryError } from '../../sdk/errors.js';

/** A transform the runner cannot execute as the pipeline gives it (a graph without a producer,
 *  a cycle, an input of the wrong shape, a spec it does not know). */
export class PlanError extends TributaryError {
  constructor(
    /** The transform's unique name ('' when the problem is not one transform's). */
    readonly transform: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A side input that is missing, or whose contents do not fit its view. */
export class SideInputError extends TributaryError {
  constructor(
    readonly sideInput: string,
    message: string,
  ) {
    super(message);
  }
}

/** A timer set where, when or with an output timestamp the model does not allow. */
export class TimerError extends TributaryError {
  constructor(
    /** The timer family ('' when the problem is not one timer's). */
    readonly timer: string,
    message: string,
  ) {
    super(message);
  }
}

/** An output a ParDo cannot make: to a tag it did not declare, or with a timestamp before its
 *  input's less the allowed skew. */
export class OutputError extends TributaryError {
  constructor(
    /** The output tag ('' when the problem is not the tag). */
    readonly tag: string,
    message: string,
  ) {
    super(message);
  }
}
