/**
 * The identity-graph example (talk 13 of seeds/001) against a plain computation: the feed in
 * arrival order mapped with the spec in force at each event, then the connected components of
 * the links found by a graph search (not a union-find), each attribute taken from the latest
 * event that carried it. The pipeline's upserts and deletes, applied in order to a table, must
 * give exactly those profiles. Then the example from the command line.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DoFn, Duration, ParDo, Pipeline } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { BuildIdentityGraph, applyChanges, generateIdentities, type IdentityFeedItem, type MappingSpec, type Profile, type ProfileChange } from '../../examples/identity-graph.js';
import { replayPlan, toTestStream, type Arrival } from '../../examples/lib/replay.js';
import { runCli } from '../cli/run-cli.js';

function expectedProfiles(feed: readonly Arrival<IdentityFeedItem>[]): { profiles: Profile[]; unmapped: number } {
  const specs = new Map<string, MappingSpec>();
  const links: { ids: string[]; attrs: Record<string, string | number>; time: number; event: string }[] = [];
  let unmapped = 0;
  for (const { value: item } of [...feed].sort((a, b) => a.arrival - b.arrival)) {
    if (item.type === 'spec') {
      specs.set(item.source, item);
      continue;
    }
    const spec = specs.get(item.source);
    const ids = spec ? Object.entries(spec.identifiers).filter(([f]) => item.fields[f] !== undefined && item.fields[f] !== '').map(([f, kind]) => `${kind}:${item.fields[f]}`) : [];
    if (!spec || ids.length === 0) {
      unmapped++;
      continue;
    }
    const attrs: Record<string, string | number> = {};
    for (const [f, name] of Object.entries(spec.attributes)) if (item.fields[f] !== undefined) attrs[name] = item.fields[f]!;
    links.push({ ids, attrs, time: item.time, event: item.id });
  }
  // Components by breadth-first search over identifier ↔ link edges.
  const byId = new Map<string, number[]>();
  links.forEach((l, i) => l.ids.forEach((id) => (byId.get(id) ?? byId.set(id, []).get(id)!).push(i)));
  const seenIds = new Set<string>();
  const profiles: Profile[] = [];
  for (const start of byId.keys()) {
    if (seenIds.has(start)) continue;
    const ids: string[] = [];
    const linkSet = new Set<number>();
    const queue = [start];
    seenIds.add(start);
    while (queue.length) {
      const id = queue.pop()!;
      ids.push(id);
      for (const li of byId.get(id)!) {
        linkSet.add(li);
        for (const other of links[li]!.ids) if (!seenIds.has(other)) (seenIds.add(other), queue.push(other));
      }
    }
    const attributes: Profile['attributes'] = {};
    const ordered = [...linkSet].map((i) => links[i]!).sort((a, b) => a.time - b.time || (a.event < b.event ? -1 : 1));
    const latest: Record<string, { value: string | number; time: number; event: string }> = {};
    for (const l of ordered) for (const [name, value] of Object.entries(l.attrs)) latest[name] = { value, time: l.time, event: l.event };
    Object.assign(attributes, latest);
    ids.sort();
    profiles.push({ id: ids[0]!, identifiers: ids, attributes });
  }
  return { profiles: profiles.sort((a, b) => (a.id < b.id ? -1 : 1)), unmapped };
}

const changes: ProfileChange[] = [];
class RecordChanges extends DoFn<ProfileChange, never> {
  process(c: ProfileChange): void {
    changes.push(c);
  }
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('examples/identity-graph', () => {
  it('upserts and deletes that leave exactly the connected profiles of a plain computation', async () => {
    const feed = generateIdentities({ people: 60, hours: 6, seed: 3 });
    const { profiles, unmapped } = expectedProfiles(feed);
    // The spec changes matter: care events before its spec cannot be mapped, and merges happen.
    expect(unmapped).toBeGreaterThan(0);
    expect(profiles.some((p) => p.identifiers.length >= 3)).toBe(true);

    changes.length = 0;
    const p = new Pipeline();
    p.apply('Feed', toTestStream(replayPlan(feed, { maxOutOfOrderness: Duration.seconds(0), batch: Duration.minutes(1), idle: true })))
      .apply('Graph', new BuildIdentityGraph())
      .apply('Record', ParDo.of(new RecordChanges()));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    const table = applyChanges(new Map(), changes);
    expect([...table.values()].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(profiles);
    expect(result.metrics().counter('unmapped', { namespace: 'identity-graph' })).toBe(unmapped);
    expect(changes.some((c) => c.op === 'delete')).toBe(true);
  });

  it('runs from the command line and writes its table', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'identity-graph-'));
    dirs.push(dir);
    const file = join(dir, 'profiles.json');
    const r = await runCli(['run', 'examples/identity-graph.ts', '--runner=direct', `--table=${file}`, '--print=3']);
    expect(r.code, r.stderr).toBe(0);
    const written = JSON.parse(readFileSync(file, 'utf8')) as Profile[];
    expect(r.stdout).toContain(`${written.length} profiles written to ${file}`);
    expect(written.length).toBeGreaterThan(10);
  });
});
