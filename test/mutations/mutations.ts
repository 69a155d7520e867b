/**
 * Small semantic mutations of the code: each changes one rule a user relies on (a boundary, a
 * hold, a byte, a merge) and names the tests that must notice. `find` must occur in `file`
 * exactly `occurrence`-th (default: exactly once); the script refuses a mutation whose text is
 * gone, so a refactor that moves the code shows up as "not applicable", not as a kill.
 */
export interface Mutation {
  readonly name: string;
  readonly file: string;
  readonly find: string;
  readonly replace: string;
  /** Which occurrence of `find` to change (1-based); absent: `find` must be unique. */
  readonly occurrence?: number;
  /** Test files (or folders) that must fail with the mutation applied. */
  readonly tests: readonly string[];
}

const WINDOWING = 'runners/exec/windowing';
const GC = `${WINDOWING}/garbage-collection.ts`;
const ENGINE = `${WINDOWING}/window-engine.ts`;
const HOLDS = `${WINDOWING}/watermark-holds.ts`;
const MERGING = `${WINDOWING}/window-merging.ts`;
const MACHINE = `${WINDOWING}/trigger-machine.ts`;
/** The windowing engine's own tests: the hand-worked boundaries and the reducer cases. */
const TRIGGER_TESTS = ['test/trigger/boundaries.test.ts', 'test/trigger/reducer.test.ts'];

export const MUTATIONS: readonly Mutation[] = [
  {
    name: 'AfterWatermark fires when the watermark reaches the end of the window (>= instead of >)',
    file: MACHINE,
    find: '      case K.Watermark:\n        return c.wm > c.maxTs;',
    replace: '      case K.Watermark:\n        return c.wm >= c.maxTs;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'AfterWatermark with early firings goes on time 1 ms early (>= instead of >)',
    file: MACHINE,
    find: '|| c.wm > c.maxTs;',
    replace: '|| c.wm >= c.maxTs;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'AfterProcessingTime fires only after its target, not at it (> instead of >=)',
    file: MACHINE,
    find: 'c.now >= st.val[i]!',
    replace: 'c.now > st.val[i]!',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'A window expires (its elements dropped, its state collected) at wm = gc time (<= instead of <)',
    file: GC,
    find: 'return this.timeOf(maxTs) < inputWm;',
    replace: 'return this.timeOf(maxTs) <= inputWm;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'The gc time is one past max timestamp + lateness',
    file: GC,
    find: 'const gc = maxTs + this.lateness;\n    return gc > GMAX ? GMAX : gc;',
    replace: 'const gc = maxTs + this.lateness + 1;\n    return gc > GMAX ? GMAX : gc;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'Event timers fire when the watermark reaches them (<= instead of <)',
    file: ENGINE,
    find: 'while (events.size > 0 && events.topTime() < wm) step(',
    replace: 'while (events.size > 0 && events.topTime() <= wm) step(',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'The garbage-collection hold is at the gc time, not one before it',
    file: GC,
    find: 'return this.lateness > 0 ? gc - 1 : gc;',
    replace: 'return gc;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'EARLIEST keeps the latest element as the hold',
    file: HOLDS,
    find: 'if (hold < w.elementHold) w.elementHold = hold;',
    replace: 'if (hold > w.elementHold) w.elementHold = hold;',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'Sessions that touch merge (<= instead of <)',
    file: MERGING,
    find: 'for (let j = lo; j < n && st[j]! < end; j++) {',
    replace: 'for (let j = lo; j < n && st[j]! <= end; j++) {',
    tests: TRIGGER_TESTS,
  },
  {
    name: 'Custom merging fns merge touching intervals (<= instead of <)',
    file: 'sdk/window/window-fn.ts',
    find: 'if (union && w.start < union.end) {',
    replace: 'if (union && w.start <= union.end) {',
    tests: ['test/window/window-fns.test.ts', ...TRIGGER_TESTS],
  },
  {
    name: 'JSON coder: Map and Set tags swapped',
    file: 'sdk/coders/json.ts',
    find: 'const T_MAP = 0x0d;\nconst T_SET = 0x0e;',
    replace: 'const T_MAP = 0x0e;\nconst T_SET = 0x0d;',
    tests: ['test/coders/json-golden.test.ts'],
  },
  {
    name: 'JSON coder: Date tag changed (0x0b to the unused 0x0f)',
    file: 'sdk/coders/json.ts',
    find: 'const T_DATE = 0x0b;',
    replace: 'const T_DATE = 0x0f;',
    tests: ['test/coders/json-golden.test.ts'],
  },
  {
    name: 'JSON coder: fixints up to 128 instead of 127',
    file: 'sdk/coders/json.ts',
    find: 'if (v < 128) out.writeByte(T_FIXINT | v);',
    replace: 'if (v <= 128) out.writeByte(T_FIXINT | (v & 0x7f));',
    tests: ['test/coders/json-golden.test.ts'],
  },
  {
    name: 'Kappa+: a step completion ignores the backward skew allowance',
    file: 'io/kappa/steps.ts',
    find: 'let w = end - maxBackward;',
    replace: 'let w = end;',
    tests: ['test/kappa/steps.test.ts'],
  },
  {
    name: 'Kappa+: a step whose watermark equals the previous one emits it again',
    file: 'io/kappa/steps.ts',
    find: 'const watermark = w > last ? w : undefined;',
    replace: 'const watermark = w >= last ? w : undefined;',
    tests: ['test/kappa/steps.test.ts'],
  },
  {
    name: 'Kappa+: steps follow the finest layout, not the coarsest',
    file: 'io/kappa/steps.ts',
    find: 'ORDER.indexOf(b) > ORDER.indexOf(a) ? b : a',
    replace: 'ORDER.indexOf(b) < ORDER.indexOf(a) ? b : a',
    tests: ['test/kappa/steps.test.ts'],
  },
  {
    name: 'Kappa+: the forward skew reads later partitions instead of earlier ones',
    file: 'io/kappa/steps.ts',
    find: 'return { start: range.from - forwardSkew, end: range.to + backwardSkew };',
    replace: 'return { start: range.from + forwardSkew, end: range.to + backwardSkew };',
    tests: ['test/kappa/steps.test.ts'],
  },
];
