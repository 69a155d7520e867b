/**
 * Runners plug in by name (`--runner=direct`). Each says up front what it cannot run: an
 * unknown URN fails before anything executes, naming the URN and the runner.
 */
import type { PipelineResult, PipelineRunner } from '../sdk/runner-api.js';
import { TributaryError } from '../sdk/errors.js';

export type RunnerFactory = (options: Record<string, unknown>) => PipelineRunner;

const registry = new Map<string, { factory?: RunnerFactory; load?: () => Promise<unknown>; description?: string }>();

export function registerRunner(name: string, description: string, factory: RunnerFactory): void {
  registry.set(name, { factory, description });
}

/** A runner known by name whose module (which calls `registerRunner`) is imported only when a run
 *  asks for it: a runner brings its own dependencies (gRPC for a job server), which a process that
 *  never uses it should not load. */
export function declareRunner(name: string, load: () => Promise<unknown>): void {
  if (!registry.get(name)?.factory) registry.set(name, { load });
}

/** Imports a declared runner's module, once. */
export async function loadRunner(name: string): Promise<void> {
  const entry = registry.get(name);
  if (!entry) throw new UnknownRunnerError(name);
  if (!entry.factory) await entry.load!();
}

/** The runners by name; a declared runner's description is known once its module is loaded
 *  (`describeRunners` loads them all). */
export function knownRunners(): Array<{ name: string; description?: string }> {
  return [...registry].map(([name, r]) => ({ name, description: r.description }));
}

/** Every runner with its description, loading the declared ones. */
export async function describeRunners(): Promise<Array<{ name: string; description: string }>> {
  for (const name of registry.keys()) await loadRunner(name);
  return knownRunners().map((r) => ({ name: r.name, description: r.description ?? '' }));
}

export class UnknownRunnerError extends TributaryError {
  constructor(readonly runner: string) {
    super(
      `unknown runner "${runner}"; known runners: ${knownRunners()
        .map((r) => (r.description ? `${r.name} (${r.description})` : r.name))
        .join(', ')}`,
    );
  }
}

export class RunnerNotLoadedError extends TributaryError {
  constructor(readonly runner: string) {
    super(`runner "${runner}" is declared but its module is not loaded yet: await loadRunner("${runner}") before createRunner`);
  }
}

export function createRunner(name: string, options: Record<string, unknown> = {}): PipelineRunner {
  const entry = registry.get(name);
  if (!entry) throw new UnknownRunnerError(name);
  if (!entry.factory) throw new RunnerNotLoadedError(name);
  return entry.factory(options);
}

export type { PipelineResult, PipelineRunner };
