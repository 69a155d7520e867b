/**
 * The flags that watch a running job (`--metricsPort`, `--metricsHost`, `--ui`, `--log`) and
 * what they start: the Prometheus endpoint and the job page of `runners/monitoring`, served
 * while the job runs and closed when it ends.
 */
import type { Argv } from 'yargs';
import { isMonitorable } from '../runners/monitoring/monitored-job.js';
import type { MonitoringServer } from '../runners/monitoring/server.js';
import type { PipelineResult } from '../sdk/runner-api.js';
import { UsageError } from './errors.js';

export const MONITORING_FLAGS = ['metricsPort', 'metricsHost', 'ui', 'log'];

export function addMonitoringFlags(y: Argv): Argv {
  return y
    .option('metricsPort', { type: 'number', describe: 'serve Prometheus metrics on http://<metricsHost>:<port>/metrics while the job runs (0: a free port)' })
    .option('metricsHost', { type: 'string', describe: 'the address the metrics endpoint and the job page bind (default 127.0.0.1, loopback only; 0.0.0.0 for every interface)' })
    .option('ui', { type: 'number', describe: 'serve the job page (graph, throughput, watermarks, Kappa+ progress, checkpoints, data sampling) on this port (0: a free port)' })
    .option('log', { type: 'string', choices: ['text', 'json'], describe: 'progress output when stderr is not a terminal: a readable line every few seconds (text, the default) or one JSON object per event (json)' });
}

export interface MonitoringRequest {
  readonly metricsPort?: number;
  readonly uiPort?: number;
  readonly host: string;
}

/** What the flags ask for (undefined: nothing to watch); a bad value is a usage error. */
export function monitoringRequest(argv: Record<string, unknown>): MonitoringRequest | undefined {
  const port = (flag: string): number | undefined => {
    const v = argv[flag];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) throw new UsageError(`--${flag} expects a port number from 0 to 65535, got ${JSON.stringify(argv[flag])}`);
    return v;
  };
  const metricsPort = port('metricsPort');
  const uiPort = port('ui');
  const host = argv.metricsHost as string | undefined;
  if (host !== undefined && host.trim() === '') throw new UsageError('--metricsHost needs an address, e.g. 127.0.0.1 or 0.0.0.0');
  if (host !== undefined && metricsPort === undefined && uiPort === undefined) throw new UsageError('--metricsHost needs --metricsPort or --ui (what to serve)');
  if (metricsPort === undefined && uiPort === undefined) return undefined;
  return { metricsPort, uiPort, host: host ?? '127.0.0.1' };
}

/** `--log` reaches progress reporters (io/kappa/progress.ts) in this process and its children. */
export function applyLogFormat(argv: Record<string, unknown>): void {
  if (argv.log !== undefined) process.env.TRIBUTARY_LOG = String(argv.log);
}

/** Starts what `request` asks for on `result`'s job; returns how to stop it. */
export async function watchJob(result: PipelineResult, runner: string, request: MonitoringRequest, say: (line: string) => void): Promise<() => Promise<void>> {
  if (!isMonitorable(result)) {
    throw new UsageError(`runner "${runner}" cannot be watched with --metricsPort or --ui yet; use --runner=direct, or drop those flags`);
  }
  const job = result.monitored();
  // Loaded here, not at start-up: prom-client and the page are for watched runs only.
  const { startMonitoring } = await import('../runners/monitoring/server.js');
  const servers: MonitoringServer[] = [];
  try {
    if (request.metricsPort !== undefined && request.metricsPort === request.uiPort) {
      const s = await startMonitoring(job, { port: request.metricsPort, host: request.host });
      servers.push(s);
      say(`metrics at ${s.url}/metrics, job page at ${s.url}/`);
    } else {
      if (request.metricsPort !== undefined) {
        const s = await startMonitoring(job, { port: request.metricsPort, host: request.host, ui: false });
        servers.push(s);
        say(`metrics at ${s.url}/metrics`);
      }
      if (request.uiPort !== undefined) {
        const s = await startMonitoring(job, { port: request.uiPort, host: request.host, metrics: false });
        servers.push(s);
        say(`job page at ${s.url}/`);
      }
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  return async () => void (await Promise.all(servers.map((s) => s.close())));
}
