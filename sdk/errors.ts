/**
 * Errors a user can act on. Each names the thing that went wrong (a transform's unique name, a
 * PCollection, a URN) and, where there is one, what to do about it.
 */
export class TributaryError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The pipeline cannot be built as written. */
export class PipelineConstructionError extends TributaryError {}

export class DuplicateTransformNameError extends PipelineConstructionError {
  constructor(readonly uniqueName: string) {
    super(
      `a transform named "${uniqueName}" already exists in this pipeline: ` +
        `give one of them a different name with apply("<name>", transform)`,
    );
  }
}

export class CoderMismatchError extends TributaryError {
  constructor(
    readonly pcollection: string,
    problem: string,
    options?: { cause?: unknown },
  ) {
    super(`coder mismatch on PCollection "${pcollection}": ${problem}`, options);
  }
}

/** User code (a DoFn, a CombineFn, a lambda) threw; names the transform it ran in. */
export class UserCodeError extends TributaryError {
  constructor(
    readonly transform: string,
    readonly phase: string,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`transform "${transform}" failed in ${phase}: ${why}`, { cause });
  }
}

export class UnsupportedFeatureError extends TributaryError {
  constructor(
    readonly urn: string,
    readonly runner: string,
    hint = '',
  ) {
    super(`runner "${runner}" does not support ${urn}${hint ? `: ${hint}` : ''}`);
  }
}

/** A worker rebuilt the program and got a different graph than the one submitted. */
export class GraphMismatchError extends TributaryError {}

/** An option of a transform (a connector's, a source's) that does not fit; names the transform
 *  and the option, and says what values it takes. */
export class TransformOptionError extends PipelineConstructionError {
  constructor(
    readonly transform: string,
    readonly option: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An invariant of Tributary's own code does not hold: a bug in Tributary, not in the pipeline.
 * The message says what was expected and what was found; please report it with that message.
 */
export class InternalError extends TributaryError {
  constructor(detail: string) {
    super(`${detail} (an internal error of Tributary: please report it)`);
  }
}
