/**
 * Start a JVM (classpath, main class, arguments, heap), send its output to a log file, wait
 * until it is ready (a port accepts connections and/or a log line appears), and stop it
 * (SIGTERM, then SIGKILL after a grace period).
 *
 * A started JVM never outlives its parent: an `exit` handler kills every live child, the usual
 * termination signals do the same before the default action, and a tiny `sh` watchdog per child
 * kills it when the parent disappears without running any handler (kill -9).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { delimiter, dirname } from 'node:path';
import { JavaMissingError, JavaProcessError } from './errors.js';

export interface JavaProcessOptions {
  /** Shown in errors and logs, e.g. "kafka broker". */
  name: string;
  classpath: string[];
  mainClass: string;
  args?: string[];
  /** Maximum heap, e.g. "256m" (`-Xmx`). Default 256m. */
  heap?: string;
  /** Further JVM flags (system properties, `--add-opens`, ...). */
  jvmFlags?: string[];
  /** The JVM's stdout and stderr go here (appended). */
  logFile: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** `java` executable; `$JAVA_HOME/bin/java` or `java` on PATH by default. */
  java?: string;
  /**
   * The JVM's temporary folder (`java.io.tmpdir`, created if missing). Flink keeps its working
   * folders, blob storage and web uploads there by default (hundreds of MB per job), so an engine
   * points it into a folder of its own that it removes when stopped.
   */
  tmpDir?: string;
}

export interface ReadyCondition {
  /** Ready once this port on `host` (default 127.0.0.1) accepts a TCP connection. */
  port?: number;
  host?: string;
  /** Ready once a line of the log matches (checked as well as the port when both are given). */
  logLine?: RegExp | string;
  /** Default 60 s. */
  timeoutMs?: number;
}

export interface JavaProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves with the exit code (null if killed by a signal) when the JVM ends. */
  readonly exited: Promise<number | null>;
  /** True until the JVM has exited. */
  running(): boolean;
  /** The last `lines` lines of the log. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs` (default 10 s); resolves once the JVM is gone. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL at once (crash tests). */
  kill(): Promise<void>;
}

const live = new Set<ChildProcess>();
let handlersInstalled = false;

function installExitHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = () => {
      killAllNow();
      // Only re-raise when nobody else handles the signal, so the default action (exit) runs.
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    };
    process.once(signal, onSignal);
  }
}

function killAllNow(): void {
  for (const child of live) {
    try {
      child.kill('SIGKILL');
    } catch {
      /* already gone */
    }
  }
}

/** Throws JavaMissingError unless `java -version` runs; `engine` names what needs it. */
export function requireJava(engine: string, java?: string): void {
  const result = spawnSync(javaExecutable(java), ['-version'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error) throw new JavaMissingError(engine, `${javaExecutable(java)}: ${result.error.message}`);
  if (result.status !== 0) throw new JavaMissingError(engine, `${javaExecutable(java)} -version exited with ${result.status}: ${`${result.stderr}`.trim().split('\n')[0]}`);
}

function javaExecutable(explicit?: string): string {
  if (explicit) return explicit;
  const home = process.env.JAVA_HOME;
  if (home && existsSync(`${home}/bin/java`)) return `${home}/bin/java`;
  return 'java';
}

/** Start the JVM and resolve once `ready` holds; rejects with the log tail if it exits first. */
export async function startJavaProcess(options: JavaProcessOptions, ready: ReadyCondition = {}): Promise<JavaProcess> {
  installExitHandlers();
  mkdirSync(dirname(options.logFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  const logStart = statSync(options.logFile).size;
  const args = jvmArguments(options);
  let child: ChildProcess;
  try {
    child = spawn(javaExecutable(options.java), args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  live.add(child);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      live.delete(child);
      resolve(code);
    });
    child.once('error', () => {
      live.delete(child);
      resolve(-1);
    });
  });
  const watchdog = startWatchdog(child.pid);
  void exited.then(() => watchdog?.kill('SIGKILL'));

  const logTail = (lines = 40) => readTail(options.logFile, logStart, lines);
  let isRunning = true;
  void exited.then(() => (isRunning = false));
  const proc: JavaProcess = {
    name: options.name,
    pid: child.pid ?? -1,
    logFile: options.logFile,
    exited,
    running: () => isRunning,
    logTail,
    async stop(graceMs = 10_000) {
      if (!isRunning) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
    async kill() {
      if (!isRunning) return;
      child.kill('SIGKILL');
      await exited;
    },
  };

  try {
    await waitReady(proc, options, ready, logStart);
  } catch (e) {
    await proc.stop(2000);
    throw e;
  }
  return proc;
}

async function waitReady(proc: JavaProcess, options: JavaProcessOptions, ready: ReadyCondition, logStart: number): Promise<void> {
  const timeoutMs = ready.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  const pattern = typeof ready.logLine === 'string' ? new RegExp(escapeRegExp(ready.logLine)) : ready.logLine;
  let exitCode: number | null | undefined;
  void proc.exited.then((c) => (exitCode = c));
  let logSeen = pattern === undefined;
  let portSeen = ready.port === undefined;
  while (!(logSeen && portSeen)) {
    if (exitCode !== undefined) {
      throw new JavaProcessError(options.name, `exited with code ${exitCode} before it was ready`, options.logFile, proc.logTail());
    }
    if (Date.now() > deadline) {
      const waiting = [!portSeen && `port ${ready.port}`, !logSeen && `a log line matching ${pattern}`].filter(Boolean).join(' and ');
      throw new JavaProcessError(options.name, `not ready after ${timeoutMs} ms (waiting for ${waiting})`, options.logFile, proc.logTail());
    }
    if (!logSeen && pattern) logSeen = pattern.test(readSince(options.logFile, logStart));
    if (!portSeen && ready.port !== undefined) portSeen = await accepts(ready.host ?? '127.0.0.1', ready.port);
    if (!(logSeen && portSeen)) await new Promise((r) => setTimeout(r, 100));
  }
}

/** The java command line: heap, flags, classpath, main class, program arguments. */
function jvmArguments(options: Omit<JavaProcessOptions, 'logFile'>): string[] {
  if (options.tmpDir !== undefined) mkdirSync(options.tmpDir, { recursive: true });
  const tmp = options.tmpDir === undefined ? [] : [`-Djava.io.tmpdir=${options.tmpDir}`];
  return [`-Xmx${options.heap ?? '256m'}`, ...tmp, ...(options.jvmFlags ?? []), '-cp', options.classpath.join(delimiter), options.mainClass, ...(options.args ?? [])];
}

/** Run a JVM to completion (a tool such as a storage formatter); throws with the output on failure. */
export function runJavaToCompletion(options: Omit<JavaProcessOptions, 'logFile'> & { timeoutMs?: number }): string {
  const args = jvmArguments(options);
  const result = spawnSync(javaExecutable(options.java), args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.error || result.status !== 0) {
    const problem = result.error ? result.error.message : `exited with code ${result.status}`;
    throw new JavaProcessError(options.name, problem, '(captured output)', output.split('\n').slice(-40).join('\n'));
  }
  return output;
}

/** A free TCP port on loopback (bind to 0, read, close). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.setTimeout(1000, () => done(false));
  });
}

/**
 * A `sh` loop that outlives a kill -9 of this process: once the parent is gone it sends the JVM
 * SIGTERM, then SIGKILL. It ends by itself when the JVM ends.
 */
function startWatchdog(childPid: number | undefined): ChildProcess | undefined {
  if (childPid === undefined || process.platform === 'win32') return undefined;
  const script =
    `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${childPid} 2>/dev/null; do sleep 1; done; ` +
    `if kill -0 ${childPid} 2>/dev/null; then kill -TERM ${childPid}; sleep 5; kill -KILL ${childPid} 2>/dev/null; fi`;
  const dog = spawn('/bin/sh', ['-c', script], { stdio: 'ignore', detached: true });
  dog.unref();
  return dog;
}

function readSince(file: string, start: number): string {
  try {
    return readFileSync(file).subarray(start).toString('utf8');
  } catch {
    return '';
  }
}

function readTail(file: string, start: number, lines: number): string {
  return readSince(file, start).split('\n').slice(-lines).join('\n');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Whether a process with this id is running (signal 0 checks without touching it). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
