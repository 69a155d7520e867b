/**
 * Beam's Prism runner (Go): a real Beam job server for the portable runner's tests and benches.
 *
 * `ensurePrism()` builds the pinned version once with `go install` into `.engines/prism/<version>/`
 * (git-ignored; a bare machine needs only `go` and the Go module proxy). Concurrent callers (test
 * files run in parallel) share one build: the first takes a lock file, the others wait for it.
 * `startPrism()` starts it on a free loopback port with its web UI off, waits until the Job API
 * port accepts connections, and returns a handle whose `stop()` ends it. A started Prism never
 * outlives this process: an exit handler kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { enginesDir } from './cache.js';
import { EngineError } from './errors.js';
import { freePort } from './java-process.js';

/** The Beam release whose Prism we build (a module version the Go proxy serves). */
export const PRISM_VERSION = 'v2.78.0';
const PRISM_MODULE = 'github.com/apache/beam/sdks/v2/go/cmd/prism';
/** A cold build (module download + compile) took about 10 minutes on 2 busy cores; allow for a slow proxy. */
const BUILD_TIMEOUT_MS = 30 * 60_000;

/** Prism could not be built or started; says what to check. */
export class PrismError extends EngineError {}

/** The path of the pinned Prism binary, building it first if it is not cached. */
export async function ensurePrism(version = PRISM_VERSION): Promise<string> {
  const dir = enginesDir('prism', version);
  const binary = join(dir, 'prism');
  if (existsSync(binary)) return binary;
  const lock = join(dir, 'build.lock');
  for (;;) {
    if (existsSync(binary)) return binary;
    if (takeLock(lock)) break;
    await delay(1000);
  }
  try {
    if (existsSync(binary)) return binary;
    const staging = join(dir, `bin-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    await goInstall(`${PRISM_MODULE}@${version}`, staging);
    // Rename is atomic: a reader sees no binary or a whole one.
    renameSync(join(staging, 'prism'), binary);
    rmSync(staging, { recursive: true, force: true });
    return binary;
  } finally {
    rmSync(lock, { force: true });
  }
}

/** A lock file holding the builder's pid; a lock whose builder is gone (or is older than the
 *  build timeout) is taken over. */
function takeLock(lock: string): boolean {
  try {
    const fd = openSync(lock, 'wx');
    writeFileSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch {
    try {
      const pid = Number(readFileSync(lock, 'utf8'));
      const stale = Date.now() - statSync(lock).mtimeMs > BUILD_TIMEOUT_MS || !alive(pid);
      if (stale) unlinkSync(lock);
    } catch {
      // The lock went away meanwhile: try again.
    }
    return false;
  }
}

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function goInstall(target: string, gobin: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('go', ['install', target], {
      env: { ...process.env, GOBIN: gobin, GOFLAGS: `${process.env.GOFLAGS ?? ''} -buildvcs=false`.trim() },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const keep = (b: Buffer) => {
      output = (output + b.toString('utf8')).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PrismError(`cannot run "go install ${target}": ${e.message}; install Go (1.22 or newer) and put "go" on PATH`, { cause: e }));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise();
      else reject(new PrismError(`"go install ${target}" failed (${signal ?? `exit ${code}`}); is the Go module proxy reachable (GOPROXY=${process.env.GOPROXY ?? 'default'})? Last output:\n${output.trim().split('\n').slice(-15).join('\n')}`));
    });
  });
}

export interface PrismHandle {
  /** `host:port` of the Job API, for `--jobEndpoint`. */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** The last lines Prism wrote (for error messages). */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once Prism has exited. */
  stop(graceMs?: number): Promise<void>;
}

export interface StartPrismOptions {
  version?: string;
  /** Job API port; a free one by default. */
  port?: number;
  /** Default 60 s. */
  readyTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Starts Prism on loopback and resolves once its Job API accepts connections. */
export async function startPrism(options: StartPrismOptions = {}): Promise<PrismHandle> {
  const binary = await ensurePrism(options.version);
  const port = options.port ?? (await freePort());
  // No web UI (--serve_http=false): tests need only the Job API, and a second port could collide.
  const child = spawn(binary, [`--job_port=${port}`, '--serve_http=false', '--idle_shutdown_timeout=-1ns'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHook();
  live.add(child);
  let log = '';
  const keep = (b: Buffer) => {
    log = (log + b.toString('utf8')).slice(-64_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => {
    live.delete(child);
    r(code);
  }));
  const tail = (lines = 20) => log.trim().split('\n').slice(-lines).join('\n');
  const handle: PrismHandle = {
    endpoint: `127.0.0.1:${port}`,
    port,
    pid: child.pid!,
    logTail: tail,
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  let gone = false;
  void exited.then(() => (gone = true));
  while (!(await accepts(port))) {
    if (gone) throw new PrismError(`Prism (${binary}) exited before serving its Job API on port ${port}. Its output:\n${tail()}`);
    if (Date.now() > deadline) {
      await handle.stop();
      throw new PrismError(`Prism did not serve its Job API on port ${port} within ${options.readyTimeoutMs ?? 60_000} ms. Its output:\n${tail()}`);
    }
    await delay(100);
  }
  return handle;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolvePromise(true);
    });
    socket.once('error', () => resolvePromise(false));
  });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
