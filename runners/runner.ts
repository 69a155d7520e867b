/**
 * Runners plug in by name (`--runner=direct`). Each says up front what it cannot run: an
 * unknown URN fails before anything executes, naming the URN and the runner.
 */
import type { PipelineResult, PipelineRunner } from '../sdk/runner-api.js';
import { TributaryError } from '../sdk/errors.js';

export type RunnerFactory = (options: Record<string, unknown>) => PipelineRunner;

const registry = new Map<string, { factory: RunnerFactory; description: string }>();

export function registerRunner(name: string, description: string, factory: RunnerFactory): void {
  registry.set(name, { factory, description });
}

export function knownRunners(): Array<{ name: string; description: string }> {
  return [...registry].map(([name, r]) => ({ name, description: r.description }));
}

export class UnknownRunnerError extends TributaryError {
  constructor(readonly runner: string) {
    super(
      `unknown runner "${runner}"; known runners: ${knownRunners()
        .map((r) => `${r.name} (${r.description})`)
        .join(', ')}`,
    );
  }
}

export function createRunner(name: string, options: Record<string, unknown> = {}): PipelineRunner {
  const entry = registry.get(name);
  if (!entry) throw new UnknownRunnerError(name);
  return entry.factory(options);
}

export type { PipelineResult, PipelineRunner };
