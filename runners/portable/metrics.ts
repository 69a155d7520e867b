/**
 * The job's metrics as the job server reports them (Beam monitoring infos, aggregated over the
 * workers) back to Tributary's MetricResults: user counters (`sum_int64`), distributions
 * (`distribution_int64`) and gauges (`latest_int64`), per transform. System metrics (element
 * counts and the like) are left out, as the direct runner's results have none.
 */
import type { pipeline as beam } from '../../portability-proto/index.js';
import { ByteReader } from '../../sdk/coders/index.js';
import { MetricResults, type CounterResult, type DistributionResult, type GaugeResult } from '../../sdk/metrics/container.js';

export function metricResultsFromMonitoringInfos(infos: readonly beam.IMonitoringInfo[]): MetricResults {
  const counters: CounterResult[] = [];
  const distributions: DistributionResult[] = [];
  const gauges: GaugeResult[] = [];
  for (const info of infos) {
    const labels = info.labels ?? {};
    const key = { step: labels.PTRANSFORM ?? '', namespace: labels.NAMESPACE ?? '', name: labels.NAME ?? '' };
    const r = new ByteReader(info.payload ?? new Uint8Array());
    switch (info.urn) {
      case 'beam:metric:user:sum_int64:v1':
        counters.push({ ...key, value: int64(r) });
        break;
      case 'beam:metric:user:sum_double:v1':
        counters.push({ ...key, value: r.readDouble() });
        break;
      case 'beam:metric:user:distribution_int64:v1': {
        const count = int64(r);
        const sum = int64(r);
        const min = int64(r);
        const max = int64(r);
        distributions.push({ ...key, count, sum, min, max, mean: count ? sum / count : 0 });
        break;
      }
      case 'beam:metric:user:latest_int64:v1': {
        const timestamp = int64(r);
        gauges.push({ ...key, timestamp, value: int64(r) });
        break;
      }
      default:
        break;
    }
  }
  return new MetricResults(counters, distributions, gauges);
}

/** A varint int64 (negative numbers are ten-byte two's complement). */
function int64(r: ByteReader): number {
  return Number(BigInt.asIntN(64, r.readVarBigInt()));
}
