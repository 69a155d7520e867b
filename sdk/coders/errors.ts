/** Typed coder errors: each names the coder (its URN or description) or the schema place. */
import { TributaryError } from '../errors.js';

/** A coder spec Tributary cannot build: an unknown URN, wrong components, a missing payload, or a
 *  URN registered twice. */
export class CoderSpecError extends TributaryError {
  constructor(
    readonly urn: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A row schema that cannot be encoded: a field without a type, an unsupported type. */
export class RowSchemaError extends TributaryError {
  constructor(
    /** The field (or the schema) at fault, as the message names it. */
    readonly where: string,
    message: string,
  ) {
    super(message);
  }
}

/** A key coder GroupByKey cannot use: equal keys must encode to equal bytes. */
export class KeyCoderError extends TributaryError {
  constructor(
    /** The coder, described. */
    readonly coder: string,
    message: string,
  ) {
    super(message);
  }
}
