/** The submission's rewrite of GroupByKeys under sessions (runners/portable/sessions-in-workers.ts). */
import { describe, expect, it } from 'vitest';
import { pipeline as beam } from '../../portability-proto/index.js';
import { SESSIONS_IN_WORKERS_URN } from '../../runners/exec/session-groups.js';
import { environmentProto } from '../../runners/portable/environments.js';
import { prepareSubmission } from '../../runners/portable/submission.js';
import { Count, Create, Duration, FixedWindows, GroupByKey, Instant, Pipeline, Sessions, Window, kv, type KV } from '../../sdk/index.js';
import { toPortable } from '../../sdk/translate/to-proto.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';

function submitted(build: (p: Pipeline) => void, sessionsInWorkers: boolean, premergeSessions?: boolean): beam.IPipeline {
  const p = new Pipeline();
  build(p);
  return prepareSubmission(toPortable(p).proto, 'flink', environmentProto({ kind: 'loopback', url: 'localhost:1' }, []), { sessionsInWorkers, premergeSessions }).pipeline;
}

const input = (p: Pipeline) => p.apply(Create.timestamped([0, 1, 5, 60].map((m) => ({ value: kv('k', m), timestamp: Instant.ofEpochMillis(m * 60_000) }))));
const sessions = () => Window.into<KV<string, number>>(Sessions.withGapDuration(Duration.minutes(10)));

/** Each primitive's URN (a ParDo's by its do_fn when that is one of the rewrite's), in the order
 *  the elements flow from `start`. */
function chain(p: beam.IPipeline, start: string): string[] {
  const t = p.components!.transforms!;
  const out: string[] = [];
  let pc: string | undefined = start;
  while (pc) {
    const next = Object.values(t).find((x) => !x.subtransforms?.length && Object.values(x.inputs ?? {}).includes(pc!));
    if (!next) break;
    const doFn = next.spec?.urn === URN.PAR_DO ? beam.ParDoPayload.decode(next.spec.payload!).doFn?.urn : undefined;
    out.push(doFn?.startsWith('tributary:dofn:') ? doFn : next.spec!.urn!);
    pc = Object.values(next.outputs ?? {})[0];
  }
  return out;
}

/** The windowing of each GroupByKey's input. */
function groupedWindows(p: beam.IPipeline): string[] {
  const c = p.components!;
  return Object.values(c.transforms!)
    .filter((t) => t.spec?.urn === URN.GROUP_BY_KEY)
    .map((t) => c.windowingStrategies![c.pcollections![Object.values(t.inputs!)[0]!]!.windowingStrategyId!]!.windowFn!.urn!);
}

describe('sessions merged in the workers (submission)', () => {
  it('a Count.perKey under sessions: precombine, reify, a GroupByKey in the global window, merge, then the combine\'s own phases', () => {
    const p = submitted((q) => input(q).apply(sessions()).apply('Count', Count.perKey<string, number>()), true);
    const windowInto = Object.values(p.components!.transforms!).find((t) => t.spec?.urn === URN.WINDOW_INTO)!;
    expect(chain(p, Object.values(windowInto.outputs!)[0]!)).toEqual([
      URN.COMBINE_PER_KEY_PRECOMBINE,
      SESSIONS_IN_WORKERS_URN.REIFY,
      URN.GROUP_BY_KEY,
      SESSIONS_IN_WORKERS_URN.MERGE,
      URN.COMBINE_PER_KEY_MERGE_ACCUMULATORS,
      URN.COMBINE_PER_KEY_EXTRACT_OUTPUTS,
    ]);
    expect(groupedWindows(p)).toEqual([WINDOW_FN_URN.GLOBAL]);
  });

  it('without the pre-merge (premergeSessions: false) the raw events are reified and shuffled; the combine runs on each merged session', () => {
    const p = submitted((q) => input(q).apply(sessions()).apply('Count', Count.perKey<string, number>()), true, false);
    const windowInto = Object.values(p.components!.transforms!).find((t) => t.spec?.urn === URN.WINDOW_INTO)!;
    // The last ParDo is the combine's own (Combine.groupedValues, a user DoFn), over MergeSessions' output.
    expect(chain(p, Object.values(windowInto.outputs!)[0]!)).toEqual([SESSIONS_IN_WORKERS_URN.REIFY, URN.GROUP_BY_KEY, SESSIONS_IN_WORKERS_URN.MERGE, URN.DOFN]);
    expect(Object.values(p.components!.transforms!).filter((t) => t.spec?.urn === URN.COMBINE_PER_KEY_PRECOMBINE || t.spec?.urn === URN.COMBINE_PER_KEY)).toEqual([]);
    expect(groupedWindows(p)).toEqual([WINDOW_FN_URN.GLOBAL]);
  });

  it('a GroupByKey under sessions is rewritten too; other windows and other runners are left alone', () => {
    const grouped = (q: Pipeline) => input(q).apply(sessions()).apply(GroupByKey.create<string, number>());
    const p = submitted(grouped, true);
    expect(groupedWindows(p)).toEqual([WINDOW_FN_URN.GLOBAL]);
    expect(Object.values(p.components!.transforms!).filter((t) => t.spec?.urn === URN.PAR_DO && beam.ParDoPayload.decode(t.spec.payload!).doFn?.urn === SESSIONS_IN_WORKERS_URN.MERGE)).toHaveLength(1);
    expect(groupedWindows(submitted(grouped, false))).toEqual([WINDOW_FN_URN.SESSIONS]);
    const fixed = submitted((q) => input(q).apply(Window.into<KV<string, number>>(FixedWindows.of(Duration.minutes(10)))).apply(GroupByKey.create<string, number>()), true);
    expect(groupedWindows(fixed)).toEqual([WINDOW_FN_URN.FIXED]);
  });
});
