/** Beam's standard URNs for user state and timers (public facts of the wire format). */
export const STATE_URN = {
  /** State API protocol of value, bag and combining state. */
  BAG_USER_STATE: 'beam:user_state:bag:v1',
  /** State API protocol of map and set state. */
  MULTIMAP_USER_STATE: 'beam:user_state:multimap:v1',
  /** State API protocol of ordered-list state. */
  ORDERED_LIST_USER_STATE: 'beam:user_state:ordered_list:v1',
  /** Pipeline requirement: a runner must honour ParDoPayload's state and timer specs. */
  REQUIRES_STATEFUL_PROCESSING: 'beam:requirement:pardo:stateful:v1',
} as const;

/** The timer family `ParDoPayload.on_window_expiration_timer_family_spec` names when the DoFn
 *  has `onWindowExpiration`. User timer names may not start with `__`. */
export const ON_WINDOW_EXPIRATION_FAMILY = '__onWindowExpiration';

/** A DoFn with `stateTimeToLive`: the event-time timer family that clears a key's state once the
 *  TTL has passed since its latest element, and the state holding when that is (`__` names are
 *  not the user's). A portable runner serves them as any timer and state; the direct runner
 *  keeps the TTL itself and ignores both. */
export const STATE_TTL_FAMILY = '__stateTtl';
export const STATE_TTL_DUE_STATE = '__stateTtlDue';
