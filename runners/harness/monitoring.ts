/**
 * A bundle's metrics as Beam monitoring infos: user counters, distributions and gauges per
 * transform, and element counts per PCollection at the stage's edges. Sent both ways Beam runners
 * read them: full infos, and short ids with payloads (`monitoring_data`), whose metadata a runner
 * asks for with a MonitoringInfosMetadata instruction.
 */
import { pipeline as beam } from '../../portability-proto/index.js';
import { ByteWriter } from '../../sdk/coders/index.js';
import type { MetricsContainer } from '../../sdk/metrics/container.js';
import type { BundlePlan } from './plan/translate.js';

const SUM = 'beam:metrics:sum_int64:v1';
const DIST = 'beam:metrics:distribution_int64:v1';
const LATEST = 'beam:metrics:latest_int64:v1';

/** Short ids, shared by every bundle of this process: the same metric keeps its id. */
class ShortIds {
  private readonly byKey = new Map<string, string>();
  private readonly infos = new Map<string, beam.IMonitoringInfo>();
  idFor(info: beam.IMonitoringInfo): string {
    const labels = Object.entries(info.labels ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    const key = JSON.stringify([info.urn, info.type, labels]);
    let id = this.byKey.get(key);
    if (!id) {
      id = `t${this.byKey.size + 1}`;
      this.byKey.set(key, id);
      this.infos.set(id, { urn: info.urn, type: info.type, labels: info.labels });
    }
    return id;
  }
  metadata(ids: readonly string[]): Record<string, beam.IMonitoringInfo> {
    const out: Record<string, beam.IMonitoringInfo> = {};
    for (const id of ids) {
      const info = this.infos.get(id);
      if (info) out[id] = info;
    }
    return out;
  }
}

export const shortIds = new ShortIds();

export function monitoringInfos(plan: BundlePlan): beam.IMonitoringInfo[] {
  const out: beam.IMonitoringInfo[] = [];
  for (const [transformId, m] of plan.metrics) out.push(...userMetrics(transformId, m));
  for (const [transformId, s] of plan.sources) out.push(elementCount(plan.pcollectionOf.get(transformId) ?? transformId, s.elements));
  for (const s of plan.sinks) out.push(elementCount(plan.pcollectionOf.get(s.transformId) ?? s.transformId, s.elements));
  return out;
}

/** The same infos as short id → payload. */
export function monitoringData(infos: readonly beam.IMonitoringInfo[]): Record<string, Uint8Array> {
  const data: Record<string, Uint8Array> = {};
  for (const i of infos) data[shortIds.idFor(i)] = i.payload ?? new Uint8Array();
  return data;
}

function userMetrics(transformId: string, m: MetricsContainer): beam.IMonitoringInfo[] {
  const out: beam.IMonitoringInfo[] = [];
  const labels = (key: string) => {
    const [namespace, name] = key.split('\u0000');
    return { PTRANSFORM: transformId, NAMESPACE: namespace ?? '', NAME: name ?? '' };
  };
  for (const [key, c] of m.counters) out.push({ urn: 'beam:metric:user:sum_int64:v1', type: SUM, labels: labels(key), payload: varints(c.value) });
  for (const [key, d] of m.distributions) {
    if (d.count === 0) continue;
    out.push({ urn: 'beam:metric:user:distribution_int64:v1', type: DIST, labels: labels(key), payload: varints(d.count, d.sum, d.min, d.max) });
  }
  for (const [key, g] of m.gauges) {
    if (g.timestamp === 0) continue; // never set
    out.push({ urn: 'beam:metric:user:latest_int64:v1', type: LATEST, labels: labels(key), payload: varints(g.timestamp, g.value) });
  }
  return out;
}

function elementCount(pcollection: string, n: number): beam.IMonitoringInfo {
  return { urn: 'beam:metric:element_count:v1', type: SUM, labels: { PCOLLECTION: pcollection }, payload: varints(n) };
}

/** Beam's int64 payloads: varints (values rounded: the wire type is integral). */
function varints(...values: number[]): Uint8Array {
  const out = new ByteWriter(16);
  for (const v of values) out.writeVarInt(Math.round(v));
  return out.finish();
}

/** A bundle reports its own metrics: counters and distributions start again at zero (in place:
 *  user code may hold the cells). Gauges keep their latest value. */
export function resetBundleMetrics(plan: BundlePlan): void {
  for (const m of plan.metrics.values()) {
    for (const c of m.counters.values()) c.value = 0;
    for (const d of m.distributions.values()) {
      d.count = 0;
      d.sum = 0;
      d.min = Infinity;
      d.max = -Infinity;
    }
  }
}
