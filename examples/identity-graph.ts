/**
 * Identity graph (talk 13 of seeds/001, Intuit's identity platform on Flink): products report the
 * people they see with their own field names; mapping specs — broadcast to the job, changed while
 * it runs — say which fields identify a person (an email, a phone, a business realm) and which are
 * profile attributes. Every event links the identifiers it carries; linked identifiers merge into
 * one profile (connected components), and each change is written to an upsert sink as the
 * profile's new version, or as the deletion of a profile merged into another.
 *
 *   npx tributary run examples/identity-graph.ts --runner=direct [--people=40] [--hours=6] [--seed=21] [--print=10]
 *
 * - The specs are a side input that changes while the job runs: re-fired at every spec, read as a
 *   map from product to its latest spec. An event is mapped with the spec in force when it
 *   arrives; one whose product has no spec yet is counted (`identity-graph/unmapped`), not linked.
 * - The graph is one key's state (a union-find over identifiers): a profile's id is the smallest
 *   identifier in it; when two merge, the larger id is deleted. Each attribute keeps the value of
 *   the latest event (by event time, then id) that carried it.
 * - The sink applies upserts and deletes to a table by profile id (`--table=file.json` writes it
 *   at the end of the run).
 */
import { writeFileSync } from 'node:fs';
import {
  AfterCount,
  DoFn,
  Duration,
  Filter,
  GlobalWindows,
  Map,
  Metrics,
  ParDo,
  PTransform,
  Pipeline,
  Repeatedly,
  StateSpecs,
  StatefulDoFn,
  View,
  Window,
  WithKeys,
  kv,
  type KV,
  type PCollection,
  type ProcessContext,
  type StatefulProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { generateIdentities, identityDefaults, type IdentityFeedItem, type MappingSpec, type Product, type SourceEvent } from './lib/identities.js';
import { replayPlan, toTestStream } from './lib/replay.js';

export { generateIdentities, identityDefaults, mappingSpecs, type IdentityFeedItem, type MappingSpec, type Product, type SourceEvent } from './lib/identities.js';

export const options = defineOptions({
  people: { type: 'number', integer: true, default: identityDefaults.people, describe: 'how many people the products see' },
  hours: { type: 'number', default: identityDefaults.hours, describe: 'hours the feed spans (specs change at a third and at half of it)' },
  seed: { type: 'number', integer: true, default: identityDefaults.seed, describe: 'seed of the generated feed' },
  table: { type: 'string', describe: 'write the final profile table here as JSON' },
  print: { type: 'number', integer: true, default: 10, describe: 'how many profile changes to print (all are written)' },
});

export type IdentityGraphOptions = OptionsOf<typeof options>;

/** An attribute's value and the event that set it: the latest (time, event id) wins. */
export interface AttributeValue {
  readonly value: string | number;
  readonly time: number;
  readonly event: string;
}

export interface IdentityLink {
  readonly event: string;
  readonly time: number;
  /** `kind:value`, e.g. `email:p1@example.com`. */
  readonly identifiers: readonly string[];
  readonly attributes: Readonly<Record<string, string | number>>;
}

export interface Profile {
  readonly id: string;
  readonly identifiers: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export type ProfileChange = { readonly op: 'upsert'; readonly profile: Profile } | { readonly op: 'delete'; readonly id: string; readonly mergedInto: string };

/** Maps an event with its product's spec in force (a side input), or counts it unmapped. */
export class ApplySpecFn extends DoFn<SourceEvent, IdentityLink, {}, { specs: ReadonlyMap<Product, MappingSpec> }> {
  private readonly unmapped = Metrics.counter('identity-graph', 'unmapped');
  process(e: SourceEvent, ctx: ProcessContext<IdentityLink, {}, { specs: ReadonlyMap<Product, MappingSpec> }>): void {
    const spec = ctx.sideInput('specs').get(e.source);
    const identifiers = spec ? Object.entries(spec.identifiers).flatMap(([field, kind]) => (e.fields[field] === undefined || e.fields[field] === '' ? [] : [`${kind}:${e.fields[field]}`])) : [];
    if (!spec || identifiers.length === 0) {
      this.unmapped.inc();
      return;
    }
    const attributes: Record<string, string | number> = {};
    for (const [field, name] of Object.entries(spec.attributes)) if (e.fields[field] !== undefined) attributes[name] = e.fields[field]!;
    ctx.output({ event: e.id, time: e.time, identifiers: [...new Set(identifiers)].sort(), attributes });
  }
}

interface Graph {
  /** Union-find: each identifier's parent (a root is its own parent, and its profile's id). */
  parent: Record<string, string>;
  profiles: Record<string, Profile>;
}

const state = { graph: StateSpecs.value<Graph>() };
type S = typeof state;

const later = (a: AttributeValue, b: AttributeValue) => a.time > b.time || (a.time === b.time && a.event > b.event);

/** Merges each link into the graph; emits the changed profile and the profiles merged away. */
export class MergeIdentitiesFn extends StatefulDoFn<string, IdentityLink, ProfileChange, S> {
  private readonly merges = Metrics.counter('identity-graph', 'merges');
  constructor() {
    super({ state });
  }

  process(e: KV<string, IdentityLink>, ctx: StatefulProcessContext<string, ProfileChange, S>): void {
    const g = ctx.state.graph.read() ?? { parent: {}, profiles: {} };
    const find = (x: string): string => {
      let r = x;
      while (g.parent[r] !== r) r = g.parent[r]!;
      for (let y = x; g.parent[y] !== r; ) {
        const next = g.parent[y]!;
        g.parent[y] = r;
        y = next;
      }
      return r;
    };
    const link = e.value;
    const roots = new Set<string>();
    for (const id of link.identifiers) {
      if (g.parent[id] === undefined) {
        g.parent[id] = id;
        g.profiles[id] = { id, identifiers: [id], attributes: {} };
      }
      roots.add(find(id));
    }
    const [root, ...others] = [...roots].sort();
    const identifiers = new Set(g.profiles[root!]!.identifiers);
    const attributes: Record<string, AttributeValue> = { ...g.profiles[root!]!.attributes };
    const take = (name: string, v: AttributeValue) => {
      const had = attributes[name];
      if (had === undefined || later(v, had)) attributes[name] = v;
    };
    for (const other of others) {
      const p = g.profiles[other]!;
      for (const id of p.identifiers) identifiers.add(id);
      for (const [name, v] of Object.entries(p.attributes)) take(name, v);
      g.parent[other] = root!;
      delete g.profiles[other];
      this.merges.inc();
      ctx.output({ op: 'delete', id: other, mergedInto: root! });
    }
    for (const [name, value] of Object.entries(link.attributes)) take(name, { value, time: link.time, event: link.event });
    const profile: Profile = { id: root!, identifiers: [...identifiers].sort(), attributes };
    g.profiles[root!] = profile;
    ctx.state.graph.write(g);
    ctx.output({ op: 'upsert', profile });
  }
}

/** Profile changes from a feed of product events and mapping specs. */
export class BuildIdentityGraph extends PTransform<PCollection<IdentityFeedItem>, PCollection<ProfileChange>> {
  constructor() {
    super('BuildIdentityGraph');
  }
  expand(feed: PCollection<IdentityFeedItem>): PCollection<ProfileChange> {
    const specs = feed
      .apply('Specs', Filter.by((i: IdentityFeedItem) => i.type === 'spec'))
      .apply('BySource', Map.of((i: IdentityFeedItem) => kv((i as MappingSpec).source, i as MappingSpec)))
      // Re-fired at every spec: the mapping changes while the job runs (Flink's broadcast state).
      .apply('EverySpec', Window.into<KV<Product, MappingSpec>>(GlobalWindows.of()).triggering(Repeatedly.forever(AfterCount.of(1))).discardingFiredPanes());
    return feed
      .apply('Events', Filter.by((i: IdentityFeedItem) => i.type === 'event'))
      .apply('AsEvent', Map.of((i: IdentityFeedItem) => i as SourceEvent))
      .apply('Map', ParDo.of(new ApplySpecFn()).withSideInputs({ specs: View.asMap(specs) }))
      // The graph is one key's state: components span every identifier.
      .apply('OneGraph', WithKeys.of((_: IdentityLink) => 'graph'))
      .apply('Merge', ParDo.of(new MergeIdentitiesFn()));
  }
}

/** Applies profile changes, in order, to a table by profile id. */
export function applyChanges(table: globalThis.Map<string, Profile>, changes: Iterable<ProfileChange>): globalThis.Map<string, Profile> {
  for (const c of changes) {
    if (c.op === 'upsert') table.set(c.profile.id, c.profile);
    else table.delete(c.id);
  }
  return table;
}

/** The upsert sink: the table in memory, written to `path` (if any) when the run ends. */
class UpsertTable extends DoFn<ProfileChange, never> {
  private readonly table = new globalThis.Map<string, Profile>();
  private readonly upserts = Metrics.counter('identity-graph', 'upserts');
  private readonly deletes = Metrics.counter('identity-graph', 'deletes');
  private printed = 0;
  constructor(
    readonly path: string | undefined,
    readonly print: number,
  ) {
    super();
  }
  process(c: ProfileChange): void {
    applyChanges(this.table, [c]);
    (c.op === 'upsert' ? this.upserts : this.deletes).inc();
    if (this.printed++ < this.print) console.log(c.op === 'upsert' ? `upsert ${c.profile.id}  ${c.profile.identifiers.join(' ')}` : `delete ${c.id}  (merged into ${c.mergedInto})`);
  }
  override teardown(): void {
    if (this.path) writeFileSync(this.path, JSON.stringify([...this.table.values()], null, 1));
    console.log(`${this.table.size} profiles${this.path ? ` written to ${this.path}` : ''}`);
  }
}

export default function identityGraph(p: Pipeline, opts: IdentityGraphOptions): void {
  const feed = generateIdentities({ people: opts.people, hours: opts.hours, seed: opts.seed });
  p.apply('Feed', toTestStream(replayPlan(feed, { maxOutOfOrderness: Duration.seconds(0), batch: Duration.minutes(1), idle: true })))
    .apply('Graph', new BuildIdentityGraph())
    .apply('Table', ParDo.of(new UpsertTable(opts.table, opts.print)));
}
