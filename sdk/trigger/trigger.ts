/**
 * Triggers as data: when a window's pane is emitted. A trigger is an immutable tree; the runner
 * compiles it into a state machine (`runners/exec/windowing/`). Semantics are Beam's.
 *
 * "Once" triggers fire at most once and then finish (AfterWatermark, AfterCount,
 * AfterProcessingTime, AfterAll/AfterFirst/AfterEach of once triggers...); `Repeatedly.forever`
 * restarts its subtrigger after each firing; the Default trigger fires at the end of the window
 * and again for every late bundle. A finished root trigger closes the window: later elements of
 * it are dropped (and counted).
 */
export type TriggerKind =
  | 'default'
  | 'afterWatermark'
  | 'afterCount'
  | 'afterProcessingTime'
  | 'repeatedly'
  | 'afterEach'
  | 'afterFirst'
  | 'afterAll'
  | 'orFinally'
  | 'never'
  | 'afterElementMatches';

export abstract class Trigger {
  abstract readonly kind: TriggerKind;
  /** Child triggers, in their proto order. */
  abstract readonly subTriggers: readonly Trigger[];

  /** Fires as this trigger does, until `until` fires once; then the window closes. */
  orFinally(until: Trigger): OrFinallyTrigger {
    return new OrFinallyTrigger(this, until);
  }

  /** True when this trigger can fire at most once. */
  abstract isOnce(): boolean;

  abstract toString(): string;

  /** Structural equality (used by `WindowingStrategy.isCompatible` and tests). */
  equals(other: Trigger): boolean {
    return this.toString() === other.toString();
  }
}

/** `main.orFinally(until)`: fires as `main` until `until` fires; finishes when either finishes. */
export class OrFinallyTrigger extends Trigger {
  readonly kind = 'orFinally';
  constructor(
    readonly main: Trigger,
    readonly until: Trigger,
  ) {
    super();
    if (!until.isOnce()) {
      throw new TypeError(`the "until" trigger of orFinally must fire at most once, got ${until}`);
    }
  }
  get subTriggers(): readonly Trigger[] {
    return [this.main, this.until];
  }
  isOnce(): boolean {
    return this.main.isOnce();
  }
  toString(): string {
    return `${this.main}.orFinally(${this.until})`;
  }
}
