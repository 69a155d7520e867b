/**
 * Tributary on a standalone Flink cluster (issue #13): a JobManager and two TaskManagers of one
 * slot each (separate JVMs on loopback, engines/flink-cluster.ts) behind Beam's Flink job server;
 * the pipelines under bench/flink/pipelines/ run through the CLI with `--environment=process`
 * (each TaskManager starts one `tributary harness` process for the job) at `--parallelism=1` and
 * `2`, and on `--runner=direct` (the baseline) on the same input. One JSON line per case:
 *
 * - `ratio`: one-worker (parallelism 1) throughput over the direct runner's, median of the runs;
 * - `speedup`: two-worker throughput over one-worker, median of the runs (each run pairs them);
 * - `…Spread`: the lowest and highest per-run values; `load`: the 1-minute load average when the
 *   case started and ended (the machine is shared: say it next to every figure);
 * - `peakRssMb`: the largest harness process (VmHWM, polled) at parallelism 1; `directPeakRssMb`
 *   the direct run's CLI process; `jvmPeakRssMb` the larger TaskManager;
 * - `jobSeconds`: each whole `tributary run`, start-up included (for reference);
 * - `workerCpuSec`: CPU seconds of the harness processes (both at parallelism 2; polled, so the
 *   last ~200 ms of a harness may be missing) or of the direct run's process, start-up included:
 *   equal work at parallelism 1 and 2 with no speedup means the cores were the limit;
 * - `workerSkewMsP2`: at parallelism 2, how much later the second worker began its first shard
 *   than the first (its harness started later: up to 10 s at load 20+); `speedupAfterSkew` is the
 *   speedup with that wait taken out of the two-worker time (the first worker's head start is
 *   then not counted either, so it leans high where `speedup` leans low).
 * - `generationSpeedup`: the speedup of the generation phase alone (first event made to the last
 *   one made, `bench/generatedMs`), which is where the workers share the work; `tailMs` per
 *   variant: the last event made to the last one out (precombine flush, shuffle, grouping, final
 *   merge), which no worker count divides; `generationSkewMsP2`: how much later the second worker
 *   made its last event than the first (uneven shards, or one worker slowed by the machine).
 * - `workerWaitInWindowSec`: how long the workers (all their threads) were runnable but waited
 *   for a core inside the window (schedstat): the machine's other work. Two workers need both
 *   cores, so this holds back the two-worker run most: compare it before trusting a speedup.
 * - On stderr, one line per run: its window split into generation and tail, the skews, the
 *   in-window CPU by role and the load (what the medians hide).
 *
 * Throughput leaves start-up out: each input shard records the wall-clock time it starts
 * (`bench/startMs`) and the last step each time it sees an element (`bench/endMs`); a run's
 * processing time is max(endMs) − min(startMs), from the first element made to the last one
 * out, on every runner alike. Job submission, the job server's translation, task deployment and
 * the harness start are before the first element; what Flink adds at the end (closing bundles,
 * the end-of-input watermark, the final firing) is inside. All processes share one clock.
 *
 * Before a case's measured runs, `--warmUpJobs` (default 3) unmeasured jobs at parallelism 2 on a
 * tenth of the input let both TaskManagers load and JIT-compile the job's Java path, as a
 * long-running cluster has: otherwise the first measured runs pay that inside their window.
 *
 * `--variantFlags="…"` adds a second pair of Flink runs (`p1v`, `p2v`: the flink flags replaced by
 * these) to each round of the rotation, so two ways of running a case are compared in alternating
 * runs on one cluster and one load; the line then has `variant` with their ratio and speedup and
 * `p1VsVariant`/`p2VsVariant` (the base runs' throughput over the variant's at each parallelism,
 * median of the rounds).
 *
 * `--taskManagerJitFlags="…"` sets the TaskManagers' JIT flags (default: the cluster's pinned
 * ones, engines/flink-jit-flags.ts; empty: the JVM's defaults). `--variantTaskManagerJitFlags="…"`
 * starts a second cluster (and job server) whose TaskManagers run with those instead, and the
 * variant runs (`p1v`, `p2v`) go to it: JVM flags are fixed when a JVM starts, so comparing two
 * settings fairly needs both clusters up and the rounds alternating between them.
 *
 *   npm run bench -- flink    (node --import tsx bench/flink/cluster.ts [--repeat=3] [--cases=keyed-sum,sessions] [--warmUpJobs=3]
 *                              [--keyedSumElements=20000000] [--sessionsElements=1000000] [--flinkFlags="--maxBundleSize=…"]
 *                              [--variantFlags="--no-premergeSessions"] [--taskManagerJitFlags=…] [--variantTaskManagerJitFlags=…])
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TASK_MANAGER_JIT_FLAGS, startFlinkCluster, startFlinkJobServer } from '../../engines/flink.js';
import { SMALL_TASK_MANAGER } from '../../engines/flink-config.js';
import { harnessProcesses } from '../../test/flink/kill-trial.js';
import { arg } from '../args.js';
import { ensureCompiled, parseRunSummary, type RunSummary } from './run-summary.js';

const repeat = Math.max(1, Number(arg('repeat') ?? 3));
const cases = (arg('cases') ?? 'keyed-sum,sessions').split(',').filter(Boolean);
const elementsOf: Record<string, number> = {
  'keyed-sum': Number(arg('keyedSumElements') ?? 20_000_000),
  // 1,000,000: the direct runner's run then lasts ~1 s (at 100,000 it measured its start, 0.3 s).
  sessions: Number(arg('sessionsElements') ?? 1_000_000),
};
const flinkFlags = (arg('flinkFlags') ?? '').split(' ').filter(Boolean);
const variantFlags = arg('variantFlags')?.split(' ').filter(Boolean);
const warmUpJobs = Math.max(0, Number(arg('warmUpJobs') ?? 3));
/** TaskManager JIT flags, space-separated; empty: the JVM's defaults. */
const jitFlagsArg = (name: string) => {
  const a = arg(name);
  return a === undefined ? undefined : a.split(' ').filter(Boolean);
};
const baseJitFlags = jitFlagsArg('taskManagerJitFlags');
const variantJitFlags = jitFlagsArg('variantTaskManagerJitFlags');
const ROOT = new URL('../../', import.meta.url).pathname;
const RUN_TIMEOUT_MS = 300_000;

function vmHwmMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 102.4) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (100 ticks/s). */
function cpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Seconds the threads of a process have spent runnable but waiting for a core, so far
 * (/proc/<pid>/task/<tid>/schedstat, second field, ns): time the machine's other work took from it.
 */
function runQueueWaitSeconds(pid: number): number | undefined {
  try {
    let ns = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]);
      } catch {
        // The thread ended between the listing and the read.
      }
    }
    return ns / 1e9;
  } catch {
    return undefined;
  }
}

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;
const spread = (xs: number[]) => [round(Math.min(...xs)), round(Math.max(...xs))];

/** Who is watched during a run: the processes whose CPU the window is charged with. */
interface Watched {
  readonly taskManagers: () => number[];
  readonly jobManager?: number;
  readonly jobServer?: number;
}

type CpuByRole = Record<string, number>;

interface Measured extends RunSummary {
  readonly elementsPerSec: number;
  readonly peakRssMb: number;
  readonly jvmPeakRssMb?: number;
  readonly jobSeconds: number;
  /** CPU seconds of the harness processes (flink) or the CLI process (direct), all of the run. */
  readonly workerCpuSec: number;
  /** CPU seconds per kind of process inside the processing window. */
  readonly cpuInWindow: CpuByRole;
  /** Seconds the workers (harnesses, or the direct run's process) waited for a core inside the
   *  window, all their threads summed: how much the machine's other work held them back. */
  readonly workerWaitInWindowSec: number;
}

/** One `tributary run`, watched from outside: peak RSS of the CLI (direct) or of the harnesses
 *  and TaskManagers (flink) while it runs. */
async function runOnce(file: string, elements: number, flags: readonly string[], watched: Watched): Promise<Measured> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'bin/tributary.mjs'), 'run', file, `--elements=${elements}`, ...flags], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const peaks = new Map<number, number>();
  const jvmPeaks = new Map<number, number>();
  const cpu = new Map<number, number>();
  // Cumulative CPU per process, by role, over time: what the processing window is charged with.
  const cpuAll = new Map<number, { role: string; sec: number }>();
  const waitAll = new Map<number, number>();
  const samples: { t: number; byRole: CpuByRole; workerWait: number }[] = [];
  const note = (pid: number, role: string) => {
    const sec = cpuSeconds(pid);
    if (sec !== undefined) cpuAll.set(pid, { role, sec });
  };
  const poll = setInterval(() => {
    const tms = watched.taskManagers();
    const workers = tms.length ? harnessProcesses(tms).map((h) => h.harness) : [child.pid!];
    for (const pid of workers) {
      peaks.set(pid, Math.max(peaks.get(pid) ?? 0, vmHwmMb(pid) ?? 0));
      cpu.set(pid, Math.max(cpu.get(pid) ?? 0, cpuSeconds(pid) ?? 0));
      note(pid, tms.length ? 'harness' : 'direct');
      const wait = runQueueWaitSeconds(pid);
      if (wait !== undefined) waitAll.set(pid, wait);
    }
    for (const pid of tms) {
      jvmPeaks.set(pid, Math.max(jvmPeaks.get(pid) ?? 0, vmHwmMb(pid) ?? 0));
      note(pid, 'taskManagers');
    }
    if (tms.length && watched.jobManager) note(watched.jobManager, 'jobManager');
    if (tms.length && watched.jobServer) note(watched.jobServer, 'jobServer');
    const byRole: CpuByRole = {};
    for (const { role, sec } of cpuAll.values()) byRole[role] = (byRole[role] ?? 0) + sec;
    samples.push({ t: Date.now(), byRole, workerWait: [...waitAll.values()].reduce((a, b) => a + b, 0) });
  }, 200);
  // A run that takes this long is broken, not slow: stop it (the job is cancelled on SIGTERM).
  const timeout = setTimeout(() => child.kill('SIGTERM'), RUN_TIMEOUT_MS);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timeout);
  clearInterval(poll);
  const jobSeconds = (performance.now() - t0) / 1000;
  const summary = parseRunSummary(out);
  if (code !== 0 || summary.state !== 'DONE') throw new Error(`tributary run ${file} ${flags.join(' ')} ended ${summary.state ?? `with exit ${code}`}:\n${err.slice(-3000)}${out.slice(-2000)}`);
  // The last sample taken by time t (polled every 200 ms: each end of the window is up to 200 ms late).
  const at = (t: number) => samples.filter((x) => x.t <= t).pop() ?? { byRole: {} as CpuByRole, workerWait: 0 };
  const [opened, closed] = [at(summary.windowStartMs), at(summary.windowStartMs + summary.processingMs)];
  const cpuInWindow: CpuByRole = {};
  for (const role of Object.keys(closed.byRole)) cpuInWindow[role] = closed.byRole[role]! - (opened.byRole[role] ?? 0);
  return {
    ...summary,
    elementsPerSec: elements / (summary.processingMs / 1000),
    peakRssMb: Math.max(0, ...peaks.values()),
    jvmPeakRssMb: jvmPeaks.size ? Math.max(...jvmPeaks.values()) : undefined,
    jobSeconds,
    workerCpuSec: [...cpu.values()].reduce((a, b) => a + b, 0),
    cpuInWindow,
    workerWaitInWindowSec: closed.workerWait - opened.workerWait,
  };
}

/** Per role, the median over runs of variant `key`'s CPU seconds in the processing window. */
function cpuInWindow(runs: Record<string, Measured>[], key: string): CpuByRole {
  const roles = new Set(runs.flatMap((r) => Object.keys(r[key]!.cpuInWindow)));
  return Object.fromEntries([...roles].map((role) => [role, round(median(runs.map((r) => r[key]!.cpuInWindow[role] ?? 0)), 1)]));
}

ensureCompiled();
const work = mkdtempSync(join(tmpdir(), 'tributary-flink-bench-'));

/** A cluster (JobManager, two TaskManagers) with its own job server, and how a run targets it. */
interface BenchCluster {
  readonly watched: Watched;
  readonly flink: (p: number, extra: readonly string[]) => string[];
  stop(): Promise<void>;
}

async function startBenchCluster(name: string, jitFlags: readonly string[] | undefined): Promise<BenchCluster> {
  // Sessions keep every element in Flink's keyed state until its window closes: with the tests'
  // 192 MB task heap a 200,000-element run spent minutes in GC and lost its TaskManager heartbeat.
  const cluster = await startFlinkCluster({ taskManagers: 2, workDir: join(work, name), taskManagerMemory: { ...SMALL_TASK_MANAGER, taskHeapMb: 384 }, taskManagerJitFlags: jitFlags });
  try {
    const jobServer = await startFlinkJobServer({ flinkMaster: cluster.master, workDir: join(work, `${name}-job-server`), heap: '384m' });
    const taskManagers = () => cluster.taskManagers.filter((t) => t.running()).map((t) => t.pid);
    return {
      watched: { taskManagers, jobManager: cluster.jobManager.pid, jobServer: jobServer.process.pid },
      flink: (p, extra) => ['--runner=flink', `--jobEndpoint=${jobServer.jobEndpoint}`, `--flinkMaster=${cluster.master}`, '--environment=process', `--parallelism=${p}`, ...extra],
      stop: async () => {
        await jobServer.stop();
        await cluster.stop();
      },
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

const clusters: BenchCluster[] = [];
try {
  const base = await startBenchCluster('cluster', baseJitFlags);
  clusters.push(base);
  // The variant runs on a second cluster when its TaskManagers' JIT flags differ (JVM flags are
  // fixed at start): both clusters stay up, and the rounds alternate between them.
  const variantCluster = variantJitFlags ? await startBenchCluster('variant-cluster', variantJitFlags) : base;
  if (variantCluster !== base) clusters.push(variantCluster);
  const hasVariant = variantFlags !== undefined || variantCluster !== base;
  for (const name of cases) {
    const file = join(ROOT, 'bench/flink/pipelines', `${name}.ts`);
    const elements = elementsOf[name];
    if (elements === undefined) throw new Error(`no cluster bench case "${name}" (cases: ${Object.keys(elementsOf).join(', ')})`);
    // Unmeasured: jobs at parallelism 2 on a tenth of the input (the same 10,000 partials per
    // worker cross Flink's shuffle as at full size), so that both TaskManagers have loaded and
    // JIT-compiled the job's Java path (once per JVM, shared by later jobs) before any measured
    // run. With none, the first two-worker run paid the second TaskManager's warm-up inside its
    // window (the first one-worker run paid its TaskManager's), ~1-2 CPU-s. With one (session 9),
    // the TaskManagers' in-window CPU in seven successive two-worker runs still fell
    // 1.1, 0.9, 1.1, 0.7, 0.8, 0.5, 0.4 CPU-s (their compiler threads), so three.
    for (const c of clusters) {
      const flags = c === base ? flinkFlags : (variantFlags ?? flinkFlags);
      for (let w = 0; w < warmUpJobs; w++) await runOnce(file, Math.max(1, Math.round(elements / 10)), c.flink(2, flags), c.watched);
    }
    const loadStart = load1();
    const variants = [
      { key: 'direct', flags: ['--runner=direct'], watched: { taskManagers: () => [] } },
      { key: 'p1', flags: base.flink(1, flinkFlags), watched: base.watched },
      { key: 'p2', flags: base.flink(2, flinkFlags), watched: base.watched },
      ...(hasVariant
        ? [1, 2].map((p) => ({ key: `p${p}v`, flags: variantCluster.flink(p, variantFlags ?? flinkFlags), watched: variantCluster.watched }))
        : []),
    ];
    const runs: Record<string, Measured>[] = [];
    for (let i = 0; i < repeat; i++) {
      const run: Record<string, Measured> = {};
      // Alternate the order so that a machine getting busier or quieter favours no variant.
      for (let k = 0; k < variants.length; k++) {
        const v = variants[(k + i) % variants.length]!;
        const m = (run[v.key] = await runOnce(file, elements, v.flags, v.watched));
        // One line per run on stderr: what the medians hide (which runs were slow, and where).
        const cpu = Object.entries(m.cpuInWindow).map(([role, sec]) => `${role} ${round(sec, 1)}`).join(', ');
        process.stderr.write(`${name} run ${i + 1} ${v.key}: ${Math.round(m.processingMs)} ms = generation ${Math.round(m.generationMs)} + tail ${Math.round(m.tailMs)} (workers' start skew ${m.workerSkewMs}, end skew ${m.generationSkewMs}); CPU-s in window: ${cpu}; workers waited for a core ${round(m.workerWaitInWindowSec, 2)} s; load ${load1()}; window opened ${new Date(m.windowStartMs).toISOString().slice(11, 23)}\n`);
      }
      const d = run.direct!;
      for (const v of Object.keys(run).filter((k) => k !== 'direct')) {
        if (run[v]!.checksum !== d.checksum) throw new Error(`${name}: ${v}'s checksum ${run[v]!.checksum} differs from the direct runner's ${d.checksum}`);
      }
      runs.push(run);
    }
    const ratios = runs.map((r) => r.p1!.elementsPerSec / r.direct!.elementsPerSec);
    const speedups = runs.map((r) => r.p2!.elementsPerSec / r.p1!.elementsPerSec);
    // The same without the time one worker waited for the other to start (see the header).
    const afterSkew = (m: Measured) => elements / ((m.processingMs - m.workerSkewMs) / 1000);
    const speedupsAfterSkew = runs.map((r) => afterSkew(r.p2!) / afterSkew(r.p1!));
    const generationSpeedups = runs.map((r) => r.p1!.generationMs / r.p2!.generationMs);
    const medianOf = (k: string, f: (m: Measured) => number) => Math.round(median(runs.map((r) => f(r[k]!))));
    const eps = (k: string) => Math.round(median(runs.map((r) => r[k]!.elementsPerSec)));
    const over = (a: string, b: string) => runs.map((r) => r[a]!.elementsPerSec / r[b]!.elementsPerSec);
    const variant = hasVariant && {
      variant: {
        flags: (variantFlags ?? flinkFlags).join(' '),
        ...(variantCluster !== base ? { taskManagerJitFlags: variantJitFlags!.join(' ') } : {}),
        ratio: round(median(over('p1v', 'direct'))),
        ratioSpread: spread(over('p1v', 'direct')),
        speedup: round(median(over('p2v', 'p1v')), 2),
        speedupSpread: spread(over('p2v', 'p1v')),
        elementsPerSec: { p1: eps('p1v'), p2: eps('p2v') },
        cpuInWindowSec: { p1: cpuInWindow(runs, 'p1v'), p2: cpuInWindow(runs, 'p2v') },
      },
      p1VsVariant: round(median(over('p1', 'p1v'))),
      p2VsVariant: round(median(over('p2', 'p2v'))),
    };
    process.stdout.write(
      `${JSON.stringify({
        case: `flink-cluster-${name}`,
        elements,
        ratio: round(median(ratios)),
        ratioSpread: spread(ratios),
        speedup: round(median(speedups), 2),
        speedupSpread: spread(speedups),
        speedupAfterSkew: round(median(speedupsAfterSkew), 2),
        workerSkewMsP2: Math.round(median(runs.map((r) => r.p2!.workerSkewMs))),
        generationSpeedup: round(median(generationSpeedups), 2),
        generationSpeedupSpread: spread(generationSpeedups),
        tailMs: { direct: medianOf('direct', (m) => m.tailMs), p1: medianOf('p1', (m) => m.tailMs), p2: medianOf('p2', (m) => m.tailMs) },
        generationSkewMsP2: medianOf('p2', (m) => m.generationSkewMs),
        elementsPerSec: { direct: eps('direct'), p1: eps('p1'), p2: eps('p2') },
        runs: repeat,
        peakRssMb: Math.max(...runs.map((r) => r.p1!.peakRssMb)),
        peakRssMbP2: Math.max(...runs.map((r) => r.p2!.peakRssMb)),
        directPeakRssMb: Math.max(...runs.map((r) => r.direct!.peakRssMb)),
        jvmPeakRssMb: Math.max(...runs.map((r) => r.p2!.jvmPeakRssMb ?? 0)),
        jobSeconds: { direct: round(median(runs.map((r) => r.direct!.jobSeconds)), 1), p1: round(median(runs.map((r) => r.p1!.jobSeconds)), 1), p2: round(median(runs.map((r) => r.p2!.jobSeconds)), 1) },
        workerCpuSec: { direct: round(median(runs.map((r) => r.direct!.workerCpuSec)), 1), p1: round(median(runs.map((r) => r.p1!.workerCpuSec)), 1), p2: round(median(runs.map((r) => r.p2!.workerCpuSec)), 1) },
        cpuInWindowSec: { direct: cpuInWindow(runs, 'direct'), p1: cpuInWindow(runs, 'p1'), p2: cpuInWindow(runs, 'p2') },
        workerWaitInWindowSec: { direct: medianOf('direct', (m) => m.workerWaitInWindowSec * 100) / 100, p1: medianOf('p1', (m) => m.workerWaitInWindowSec * 100) / 100, p2: medianOf('p2', (m) => m.workerWaitInWindowSec * 100) / 100 },
        load: [loadStart, load1()],
        warmUpJobs,
        ...(flinkFlags.length ? { flinkFlags: flinkFlags.join(' ') } : {}),
        taskManagerJitFlags: (baseJitFlags ?? DEFAULT_TASK_MANAGER_JIT_FLAGS).join(' '),
        ...variant,
      })}\n`,
    );
  }
} finally {
  for (const c of clusters) await c.stop();
  rmSync(work, { recursive: true, force: true });
}
