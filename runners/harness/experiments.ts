/**
 * Beam experiments the harness reads from the job's pipeline options (provision info):
 * `beam:option:experiments:v1` as Beam's job servers pass it, or Tributary's own `experiments`.
 */
import type { protobuf } from '../../portability-proto/index.js';
import { optionsFromStruct } from './staging.js';

/**
 * A message's timers are taken before its elements. Beam's Flink runner fires a stateful stage's
 * timers only when no bundle is open (it holds the stage's input watermark during a bundle), so a
 * bundle's timers always come before its elements there; the data plane carries both in one
 * message without saying which came first. The flink runner asks for it; Prism does not.
 */
export const TIMERS_FIRST_EXPERIMENT = 'tributary_timers_before_elements';

export function experimentRequested(options: protobuf.IStruct | null | undefined, name: string): boolean {
  for (const [key, value] of Object.entries(options?.fields ?? {})) {
    if (key !== 'experiments' && key !== 'beam:option:experiments:v1') continue;
    const list = value?.listValue?.values ?? [];
    if (list.some((v) => v.stringValue === name)) return true;
  }
  let ours: unknown;
  try {
    ours = optionsFromStruct(options).experiments;
  } catch {
    return false; // the harness reports unreadable options where it reads them for the program
  }
  const experiments = typeof ours === 'string' ? ours.split(',') : Array.isArray(ours) ? ours : [];
  return experiments.includes(name);
}
