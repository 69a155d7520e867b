/**
 * Session windows merged by the workers instead of the runner. Beam's Java runners merge
 * sessions per window with keyed state and a timer per session (Flink's streaming
 * `WindowDoFnOperator`), which costs tens of µs per session; their batch GroupByKey merges
 * partial sessions wrongly at parallelism > 1 (runners/flink/execution-mode.ts). So each
 * GroupByKey under session windows becomes a composite the runner groups in the global window:
 *
 *   ReifySessions (ParDo: KV<K, V> → KV<K, SessionParts<V>>, output in the global window, a
 *     bundle's elements of a key together: runners/exec/session-parts.ts)
 *   → GroupByKey (global window: KV<K, Iterable<SessionParts<V>>>)
 *   → MergeSessions (ParDo: the key's sessions merged by the direct runner's reducer, each
 *     emitted as KV<K, Iterable<V>> in its session window, with its pane and timestamp)
 *
 * The harness runs both ParDos (runners/exec/session-groups.ts). A lifted combine's precombine
 * (runners/exec/merging-precombine.ts) comes before ReifySessions, so the values are partial
 * sessions' accumulators, and its MergeAccumulators after MergeSessions: the combine's phases
 * are unchanged. A runner may then run the whole pipeline without merging windows (Flink in batch
 * mode). Exact only where no element can be late and each session fires one final pane: the
 * caller decides (runners/flink/execution-mode.ts, `sessionsInWorkers`).
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { CoderUrns } from '../../sdk/coders/urns.js';
import { ENVIRONMENT_ID } from '../../sdk/translate/environment.js';
import { URN } from '../../sdk/urns.js';
import { WINDOW_FN_URN } from '../../sdk/window/window-fn-proto.js';
import { SESSIONS_IN_WORKERS_URN, type MergeSessionsSpec } from '../exec/session-groups.js';
import { SESSION_PARTS_CODER_URN } from '../exec/session-parts.js';
import { addGlobalStrategy, coder, groupByKeyInput, only, type Components } from './components.js';

/** Rewrites, in place, every GroupByKey of `p` under session windows; returns their ids. */
export function groupSessionsInWorkers(p: beam.Pipeline): string[] {
  const c = p.components as Components;
  const rewritten: string[] = [];
  for (const id of Object.keys(c.transforms).sort()) {
    const t = c.transforms[id]!;
    if (t.spec?.urn !== URN.GROUP_BY_KEY) continue;
    const inputId = only(t.inputs);
    const ws = inputId === undefined ? undefined : c.windowingStrategies[c.pcollections[inputId]?.windowingStrategyId ?? ''];
    if (ws?.windowFn?.urn !== WINDOW_FN_URN.SESSIONS) continue;
    if (Object.keys(t.outputs).length !== 1) continue; // a late-data output: the runner groups it
    rewriteOne(id, t, c);
    rewritten.push(id);
  }
  return rewritten;
}

function rewriteOne(id: string, t: Components['transforms'][string], c: Components): void {
  const { name, inputId, input, wsId, ws, keyCoder, valueCoder } = groupByKeyInput(id, t, c);
  // Opaque to the runner (length-prefixed): it groups by key and never decodes the value.
  const reifiedValue = coder(c, CoderUrns.LENGTH_PREFIX, [coder(c, SESSION_PARTS_CODER_URN, [valueCoder, ws.windowCoderId ?? ''])]);
  const globalWs = addGlobalStrategy(c, `${id}/Global.strategy`, ws.environmentId || ENVIRONMENT_ID);
  const pc = (suffix: string, coderId: string): string => {
    const pid = `${id}/${suffix}`;
    c.pcollections[pid] = beam.PCollection.create({ uniqueName: pid, coderId, isBounded: input.isBounded, windowingStrategyId: globalWs });
    return pid;
  };
  const reified = pc('ReifySessions.out', coder(c, CoderUrns.KV, [keyCoder, reifiedValue]));
  const grouped = pc('GroupByKey.out', coder(c, CoderUrns.KV, [keyCoder, coder(c, CoderUrns.ITERABLE, [reifiedValue])]));
  const part = (suffix: string, spec: beam.IFunctionSpec, from: string, outputs: Record<string, string>, environmentId: string): string => {
    const tid = `${id}/${suffix}`;
    c.transforms[tid] = beam.PTransform.create({ uniqueName: `${name}/${suffix}`, spec, inputs: { in: from }, outputs, environmentId });
    return tid;
  };
  const pardo = (urn: string, payload: Uint8Array): beam.IFunctionSpec => ({ urn: URN.PAR_DO, payload: beam.ParDoPayload.encode({ doFn: { urn, payload } }).finish() });
  const reify = part('ReifySessions', pardo(SESSIONS_IN_WORKERS_URN.REIFY, new Uint8Array()), inputId, { out: reified }, ENVIRONMENT_ID);
  const group = part('GroupByKey', { urn: URN.GROUP_BY_KEY }, reified, { out: grouped }, '');
  const spec: MergeSessionsSpec = { windowingStrategyId: wsId, windowingStrategy: Buffer.from(beam.WindowingStrategy.encode(ws).finish()).toString('base64'), name };
  // The GroupByKey's own output, under its local name.
  const merge = part('MergeSessions', pardo(SESSIONS_IN_WORKERS_URN.MERGE, new TextEncoder().encode(JSON.stringify(spec))), grouped, { ...t.outputs }, ENVIRONMENT_ID);
  t.subtransforms = [reify, group, merge];
  t.spec = null;
  t.environmentId = '';
}
