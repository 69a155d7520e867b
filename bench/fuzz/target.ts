/**
 * What the fuzz runner (fuzz.ts) needs from a target: valid inputs to mutate and a way to consume
 * one input in a child process. A target lives in `bench/fuzz/<name>-target.ts` and
 * default-exports a FuzzTarget; `--target=<name>` picks it.
 */
export interface FuzzTarget {
  /** Short name, used by `--target=<name>` and in the printed JSON line. */
  readonly name: string;
  /** Valid inputs to mutate. Runs once in the parent process. */
  seeds(): Promise<Uint8Array[]>;
  /**
   * Byte offsets in a seed worth mutating as integers (length fields, counts, offsets): the runner
   * sometimes overwrites 1-8 bytes there with zero, negative or huge values.
   */
  lengthFieldOffsets?(seed: Uint8Array): number[];
  /**
   * Runs in a child process (heap-limited, timed out by the parent) on one mutated input and
   * consumes it fully. Resolving = accepted; throwing a TributaryError (sdk/errors.ts) = a typed
   * error; any other throw = an untyped error (a failure); the child dying = a crash; no answer
   * within the timeout = a hang. A child runs many cases one after another: leave no global state
   * behind (temporary files under os.tmpdir(), deleted or overwritten by the next case).
   */
  run(input: Uint8Array): Promise<void>;
}

/** What a child reports for one case. */
export type CaseOutcome = { kind: 'accepted' } | { kind: 'typed'; error: string } | { kind: 'untyped'; error: string };
