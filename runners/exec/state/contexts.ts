/**
 * The contexts a stateful DoFn's methods receive. One of each per operator, re-pointed at the
 * current element or timer (no allocation per call); `state` and `timers` are views whose
 * accessors act on the operator's current scope.
 */
import type { TimeDomain } from '../../../sdk/state/index.js';
import { Instant } from '../../../sdk/time/instant.js';
import { NO_FIRING } from '../../../sdk/values/pane.js';
import type { BoundedWindow } from '../../../sdk/window/bounded-window.js';
import { PendingDeliveries } from '../pending.js';
import { ElementOutputContext, type OutputHost } from '../output-contexts.js';
import type { Scope } from './scope.js';
import { SideInputError, TimerError } from '../errors.js';

/** What the contexts need from the operator. */
export interface ContextHost extends OutputHost {
  readonly stateView: object;
  readonly timersView: object;
  /** A side input's view for `window`; absent: the runner serves none to this DoFn. */
  sideInput?(name: string, window: BoundedWindow): unknown;
}

export class ProcessCtx extends ElementOutputContext {
  key: unknown;
  scope!: Scope;
  constructor(private readonly views: ContextHost) {
    super(views);
  }
  get state(): object {
    return this.views.stateView;
  }
  get timers(): object {
    return this.views.timersView;
  }
  sideInput(name: string): unknown {
    if (!this.views.sideInput) throw new SideInputError(name, `side input "${name}": this runner serves no side inputs to a stateful DoFn; read them in a stateless ParDo before it`);
    return this.views.sideInput(name, this.windows[0]!);
  }
}

/** onTimer's context, and onWindowExpiration's (which has no timers and stamps the window's
 *  max timestamp). Outputs are in the scope's window, at `timestamp`. */
export class TimerCtx extends PendingDeliveries {
  scope!: Scope;
  timestamp!: Instant;
  timeDomain: TimeDomain = 'EVENT_TIME';
  constructor(
    private readonly host: ContextHost,
    private readonly withTimers: boolean,
  ) {
    super();
  }
  get key(): unknown {
    return this.scope.key;
  }
  get window(): BoundedWindow {
    return this.scope.window;
  }
  get state(): object {
    return this.host.stateView;
  }
  get timers(): object {
    if (!this.withTimers) throw new TimerError('', 'onWindowExpiration cannot set timers: the window has expired');
    return this.host.timersView;
  }
  output(value: unknown): void {
    this.deliver(this.host.main, { value, timestamp: this.timestamp, windows: this.scope.windows, pane: NO_FIRING });
  }
  outputTo(tag: string, value: unknown): void {
    this.deliver(this.host.tagged(tag), { value, timestamp: this.timestamp, windows: this.scope.windows, pane: NO_FIRING });
  }
  outputWithTimestamp(value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    this.deliver(this.host.main, { value, timestamp, windows: this.scope.windows, pane: NO_FIRING });
  }
  outputToWithTimestamp(tag: string, value: unknown, timestamp: Instant): void {
    this.host.checkOutputTimestamp(this.timestamp, timestamp);
    this.deliver(this.host.tagged(tag), { value, timestamp, windows: this.scope.windows, pane: NO_FIRING });
  }
}
