/**
 * The HTTP side of watching a job: `/metrics` (Prometheus), `/` (the job page), `/api/graph`,
 * `/api/status`, `/api/events` (server-sent events: a status every `refreshMs` and a last one
 * when the job ends) and `/api/sample?pcollection=ID&limit=N` (live data sampling; limit 0
 * stops it). Binds loopback unless told otherwise: a job's data is not for the whole network.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TributaryError } from '../../sdk/errors.js';
import { layoutPipeline } from './graph-layout.js';
import { JobSnapshots } from './job-snapshot.js';
import type { MonitoredJob } from './monitored-job.js';
import { JOB_PAGE } from './page.js';
import { prometheusRegistry } from './prometheus.js';

export interface MonitoringOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Serve `/metrics` (default true). */
  readonly metrics?: boolean;
  /** Serve the page and its API (default true). */
  readonly ui?: boolean;
  /** How often the page gets a new status (default 1000 ms). */
  readonly refreshMs?: number;
  /** Node's own process metrics on `/metrics` (default true). */
  readonly processMetrics?: boolean;
}

export interface MonitoringServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export class MonitoringPortError extends TributaryError {}

export async function startMonitoring(job: MonitoredJob, options: MonitoringOptions): Promise<MonitoringServer> {
  const host = options.host ?? '127.0.0.1';
  const serveMetrics = options.metrics !== false;
  const serveUi = options.ui !== false;
  const registry = serveMetrics ? prometheusRegistry(job, { processMetrics: options.processMetrics }) : undefined;
  const layout = serveUi ? layoutPipeline(job.pipeline, job.executedTransforms()) : undefined;
  const snapshots = layout ? new JobSnapshots(job, layout) : undefined;
  const refreshMs = options.refreshMs ?? 1000;
  const streams = new Set<ServerResponse>();

  const tick = setInterval(() => {
    if (!snapshots || streams.size === 0) return;
    const data = `data: ${JSON.stringify(snapshots.take())}\n\n`;
    for (const s of streams) s.write(data);
  }, refreshMs);
  tick.unref();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'only GET\n');
    if (serveMetrics && url.pathname === '/metrics') return send(res, 200, registry!.contentType, await registry!.metrics());
    if (serveUi) {
      switch (url.pathname) {
        case '/':
        case '/index.html':
          return send(res, 200, 'text/html; charset=utf-8', JOB_PAGE);
        case '/api/graph':
          return json(res, { ...layout!, pcollectionNames: pcollectionNames(job) });
        case '/api/status':
          return json(res, snapshots!.take());
        case '/api/sample': {
          const pc = url.searchParams.get('pcollection') ?? '';
          if (!(pc in (job.pipeline.components?.pcollections ?? {}))) return send(res, 404, 'text/plain', `no PCollection "${pc}" in this pipeline\n`);
          const limit = Number(url.searchParams.get('limit') ?? '20');
          if (!Number.isFinite(limit) || limit < 0) return send(res, 400, 'text/plain', `limit must be a number ≥ 0, got "${url.searchParams.get('limit')}"\n`);
          return json(res, { pcollection: pc, elements: job.sample(pc, limit) });
        }
        case '/api/events': {
          res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
          res.write(`data: ${JSON.stringify(snapshots!.take())}\n\n`);
          streams.add(res);
          req.on('close', () => streams.delete(res));
          return;
        }
      }
    }
    const routes = [serveMetrics ? '/metrics' : '', serveUi ? '/ (the job page), /api/status, /api/events, /api/sample?pcollection=ID&limit=N' : ''].filter(Boolean);
    send(res, 404, 'text/plain', `not found; this server has ${routes.join(', ')}\n`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => send(res, 500, 'text/plain', `${(e as Error).message}\n`));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(
        new MonitoringPortError(
          e.code === 'EADDRINUSE'
            ? `port ${options.port} on ${host} is in use: pick another port for the metrics/job page, or 0 for a free one`
            : `cannot serve the metrics/job page on ${host}:${options.port}: ${e.message}`,
        ),
      ),
    );
    server.listen(options.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    async close() {
      clearInterval(tick);
      // The page's last status carries the final state before the streams end.
      if (snapshots && streams.size) {
        const data = `data: ${JSON.stringify(snapshots.take())}\n\n`;
        for (const s of streams) s.end(data);
      }
      streams.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function pcollectionNames(job: MonitoredJob): Record<string, string> {
  return Object.fromEntries(Object.entries(job.pipeline.components?.pcollections ?? {}).map(([id, pc]) => [id, pc.uniqueName ?? id]));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}

function json(res: ServerResponse, value: unknown): void {
  send(res, 200, 'application/json', JSON.stringify(value));
}
