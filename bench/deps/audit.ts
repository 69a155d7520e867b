/**
 * Dependency audit of what ships: `npm audit --omit=dev`, summarized as one JSON line
 * (`npm run bench -- audit`, and at the end of CI). Never fails: without a registry (offline CI,
 * a proxy, a timeout) it prints `"status":"skipped"` with the reason; the numbers are for a human
 * to read, not a gate.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8', timeout: 90_000 });

interface AuditJson {
  message?: string;
  error?: { code?: string; summary?: string };
  metadata?: { vulnerabilities?: Record<string, number>; dependencies?: { prod?: number } };
  vulnerabilities?: Record<string, { severity: string; isDirect: boolean; fixAvailable: unknown }>;
}

let report: Record<string, unknown>;
try {
  const json = JSON.parse(r.stdout) as AuditJson;
  if (json.error || !json.metadata) throw new Error(json.error?.summary ?? json.error?.code ?? json.message ?? 'no audit metadata in the answer');
  const v = json.metadata.vulnerabilities ?? {};
  report = {
    status: 'ok',
    runtimePackages: json.metadata.dependencies?.prod,
    critical: v.critical ?? 0,
    high: v.high ?? 0,
    moderate: v.moderate ?? 0,
    low: v.low ?? 0,
    // the packages to look at first: direct dependencies with a finding, worst first
    direct: Object.entries(json.vulnerabilities ?? {})
      .filter(([, f]) => f.isDirect)
      .map(([name, f]) => `${name}:${f.severity}`),
  };
} catch (err) {
  const why = r.error ? r.error.message : (err as Error).message || r.stderr;
  report = { status: 'skipped', reason: `npm audit did not answer (${why.split('\n')[0]!.slice(0, 200)})` };
}
console.log(JSON.stringify({ case: 'deps-audit', ...report }));
