/** The short metrics summary `tributary run` prints when a job ends. */
import type { MetricResults } from '../sdk/metrics/container.js';

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => `  ${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')}`.trimEnd());
}

function num(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? String(n) : n.toPrecision(6).replace(/\.?0+$/, '');
}

const END_OF_TIME = 9.2e15;

/** Gauges as people read them: the ends of event time as ±∞, event times (watermarks and other
 *  `…Time`/`…At` gauges holding epoch milliseconds) as ISO dates. */
export function gaugeText(g: { name: string; value: number }): string {
  if (g.value >= END_OF_TIME) return '+∞';
  if (g.value <= -END_OF_TIME) return '−∞';
  if (/watermark|Time$|At$/i.test(g.name) && Number.isFinite(g.value) && Math.abs(g.value) < 1e14 && Math.abs(g.value) > 1e11) {
    return new Date(g.value).toISOString();
  }
  return num(g.value);
}

export function metricsSummary(metrics: MetricResults): string {
  const lines: string[] = [];
  const name = (m: { namespace: string; name: string }) => `${m.namespace}/${m.name}`;
  const sorted = <T extends { step: string; namespace: string; name: string }>(ms: readonly T[]) =>
    [...ms].sort((a, b) => name(a).localeCompare(name(b)) || a.step.localeCompare(b.step));
  if (metrics.counters.length) {
    lines.push('Counters:', ...table([['metric', 'step', 'value'], ...sorted(metrics.counters).map((c) => [name(c), c.step, num(c.value)])]));
  }
  if (metrics.distributions.length) {
    lines.push(
      'Distributions:',
      ...table([
        ['metric', 'step', 'count', 'sum', 'min', 'max', 'mean'],
        ...sorted(metrics.distributions).map((d) => [name(d), d.step, num(d.count), num(d.sum), num(d.min), num(d.max), num(d.mean)]),
      ]),
    );
  }
  if (metrics.gauges.length) {
    lines.push('Gauges:', ...table([['metric', 'step', 'value'], ...sorted(metrics.gauges).map((g) => [name(g), g.step, gaugeText(g)])]));
  }
  if (lines.length === 0) lines.push('No metrics reported.');
  return lines.join('\n');
}
