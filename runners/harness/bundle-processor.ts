/**
 * Runs one bundle on a plan: binds the units to the bundle, feeds them what the runner sends on
 * the data plane (elements to data sources, fired timers to stateful units) until every input
 * stream is closed, finishes the bundle upstream-first, closes the outputs, and answers with the
 * residuals and the bundle's metrics.
 *
 * Plans are reused: a descriptor keeps a pool of idle plans, so bundles of one stage can run
 * concurrently, each on its own plan, and setup runs once per plan, not per bundle.
 */
import { fnExecution as fn } from '../../portability-proto/index.js';
import { isThenable } from '../exec/unit.js';
import type { DataChannel } from './data.js';
import type { HarnessLogger } from './logging.js';
import { monitoringData, monitoringInfos, resetBundleMetrics } from './monitoring.js';
import type { BundleContext } from './plan/context.js';
import type { HarnessDataSampler } from './data-sampling.js';
import { buildPlan, type BundlePlan } from './plan/translate.js';
import { StateCache, StateChannel } from './state.js';
import { PlanError } from '../exec/errors.js';

export interface ActiveBundle {
  readonly plan: BundlePlan;
  readonly instructionId: string;
  /** Set once all input was read and the bundle is finishing. */
  finishing: boolean;
}

export class BundleProcessor {
  private readonly plans = new Map<string, BundlePlan[]>();
  private readonly descriptors = new Map<string, fn.ProcessBundleDescriptor>();
  private readonly stateChannels = new Map<string, StateChannel>();
  readonly cache = new StateCache();
  readonly active = new Map<string, ActiveBundle>();

  constructor(
    private readonly userFns: ReadonlyMap<string, unknown>,
    private readonly dataChannel: (url: string) => DataChannel,
    private readonly fetchDescriptor: (id: string) => Promise<fn.ProcessBundleDescriptor>,
    private readonly logger: HarnessLogger,
    private readonly workerId: string | undefined,
    /** Present when the runner turned data sampling on (harness.ts). */
    readonly sampler?: HarnessDataSampler,
  ) {}

  register(descriptors: readonly fn.ProcessBundleDescriptor[]): void {
    for (const d of descriptors) {
      this.descriptors.set(d.id, d);
      // Fail at registration, not in the first bundle: build (and drop) one plan now.
      buildPlan(d, this.userFns, this.sampler);
    }
  }

  async process(instructionId: string, req: fn.ProcessBundleRequest): Promise<fn.IProcessBundleResponse> {
    const descriptor = await this.descriptor(req.processBundleDescriptorId);
    const plan = await this.acquire(descriptor);
    const active: ActiveBundle = { plan, instructionId, finishing: false };
    this.active.set(instructionId, active);
    const data = this.dataChannel(dataUrl(descriptor));
    try {
      const ctx = this.context(instructionId, descriptor, req, data);
      for (const s of plan.sources.values()) s.start();
      for (const u of plan.units) u.start?.(ctx);
      for (const s of plan.sinks) s.start(ctx);
      await this.feed(plan, instructionId, data);
      active.finishing = true;
      for (const u of plan.units) {
        const d = u.finishBundle?.();
        if (isThenable(d)) await d;
        if (u.drain) await u.drain();
      }
      for (const s of plan.sinks) {
        const d = s.close();
        if (isThenable(d)) await d;
      }
      const flushed = data.flush();
      if (flushed) await flushed;
      const infos = monitoringInfos(plan);
      const response: fn.IProcessBundleResponse = { residualRoots: ctx.residuals, monitoringInfos: infos, monitoringData: monitoringData(infos) };
      // The next bundle reports its own (setup's metrics went with the plan's first bundle).
      resetBundleMetrics(plan);
      this.release(plan);
      return response;
    } catch (e) {
      // A plan that failed mid-bundle may hold half a bundle: drop it (teardown), never reuse it.
      void this.teardown(plan);
      throw e;
    } finally {
      data.release(instructionId);
      this.active.delete(instructionId);
    }
  }

  /** Progress of a bundle in flight: its metrics so far. */
  progress(instructionId: string): fn.IProcessBundleProgressResponse {
    const active = this.active.get(instructionId);
    const infos = active ? monitoringInfos(active.plan) : [];
    return { monitoringInfos: infos, monitoringData: monitoringData(infos) };
  }

  async shutdown(): Promise<void> {
    for (const pool of this.plans.values()) for (const p of pool) await this.teardown(p);
    this.plans.clear();
    for (const s of this.stateChannels.values()) s.close();
  }

  private async feed(plan: BundlePlan, instructionId: string, data: DataChannel): Promise<void> {
    const open = new Set<string>();
    for (const id of plan.sources.keys()) open.add(`d\u0000${id}`);
    for (const t of plan.timerStreams) open.add(`t\u0000${t.transformId}\u0000${t.family}`);
    const inbox = data.inbox(instructionId);
    while (open.size > 0) {
      const c = await inbox.next();
      if (c.kind === 'data') {
        const source = plan.sources.get(c.transformId);
        if (!source) throw new PlanError(c.transformId ?? '', `the runner sent data for "${c.transformId}", which is not a data source of bundle descriptor "${plan.descriptorId}"`);
        await source.accept(c.bytes, c.isLast);
        if (c.isLast) open.delete(`d\u0000${c.transformId}`);
      } else {
        const target = plan.timerTargets.get(c.transformId);
        if (!target) throw new PlanError(c.transformId ?? '', `the runner sent timers for "${c.transformId}", which has no timers in bundle descriptor "${plan.descriptorId}"`);
        if (c.bytes.length > 0) await target.acceptTimers(c.timerFamilyId, c.bytes);
        if (c.isLast) {
          // Some runners close every family of a transform with one message without a family.
          if (c.timerFamilyId === '') for (const t of plan.timerStreams) if (t.transformId === c.transformId) open.delete(`t\u0000${t.transformId}\u0000${t.family}`);
          open.delete(`t\u0000${c.transformId}\u0000${c.timerFamilyId}`);
        }
      }
    }
  }

  private context(instructionId: string, descriptor: fn.ProcessBundleDescriptor, req: fn.ProcessBundleRequest, data: DataChannel): BundleContext {
    const url = descriptor.stateApiServiceDescriptor?.url;
    let state: StateChannel | undefined;
    if (url) {
      state = this.stateChannels.get(url);
      if (!state) this.stateChannels.set(url, (state = new StateChannel(url, this.workerId)));
    }
    let userStateToken: string | undefined;
    const sideTokens = new Map<string, string>();
    for (const t of req.cacheTokens) {
      const token = Buffer.from(t.token ?? new Uint8Array()).toString('latin1');
      if (t.userState) userStateToken = token;
      else if (t.sideInput) sideTokens.set(`${t.sideInput.transformId}\u0000${t.sideInput.sideInputId}`, token);
    }
    return {
      instructionId,
      data,
      state,
      cache: this.cache,
      userStateToken,
      sideInputToken: (transformId, sideInputId) => sideTokens.get(`${transformId}\u0000${sideInputId}`),
      residuals: [],
      logger: this.logger,
    };
  }

  private async descriptor(id: string): Promise<fn.ProcessBundleDescriptor> {
    let d = this.descriptors.get(id);
    if (!d) {
      d = await this.fetchDescriptor(id);
      this.register([d]);
    }
    return d;
  }

  private async acquire(d: fn.ProcessBundleDescriptor): Promise<BundlePlan> {
    const idle = this.plans.get(d.id)?.pop();
    if (idle) return idle;
    const plan = buildPlan(d, this.userFns, this.sampler);
    for (const u of plan.units) if (u.setup) await u.setup();
    return plan;
  }

  private release(plan: BundlePlan): void {
    const pool = this.plans.get(plan.descriptorId) ?? this.plans.set(plan.descriptorId, []).get(plan.descriptorId)!;
    pool.push(plan);
  }

  private async teardown(plan: BundlePlan): Promise<void> {
    for (const u of plan.units) {
      try {
        await u.teardown?.();
      } catch (e) {
        this.logger.log('WARN', `teardown failed: ${(e as Error).message}`, { transformId: u.name });
      }
    }
  }
}

/** The data endpoint: the one named by the descriptor's data sources (or sinks). */
function dataUrl(d: fn.ProcessBundleDescriptor): string {
  for (const t of Object.values(d.transforms)) {
    const urn = t.spec?.urn;
    if (urn === 'beam:runner:source:v1' || urn === 'beam:runner:sink:v1') {
      const url = fn.RemoteGrpcPort.decode(t.spec!.payload ?? new Uint8Array()).apiServiceDescriptor?.url;
      if (url) return url;
    }
  }
  const timers = d.timerApiServiceDescriptor?.url;
  if (timers) return timers;
  throw new PlanError('', `bundle descriptor "${d.id}" names no data endpoint (no data source or sink with an ApiServiceDescriptor)`);
}
