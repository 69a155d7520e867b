/** Dedup of 1,000,000 events over 100,000 keys: a stateful DoFn with a `ValueState<boolean>` per
 *  key against a plain loop with a Map. Both count the first sighting of each key (the checksum). */
import { Coders, DoFn, Impulse, Map, Metrics, ParDo, Pipeline, StateSpecs, StatefulDoFn, kv, type KV, type StatefulProcessContext } from '../../sdk/index.js';
import { DirectRunner } from '../../runners/direct/direct-runner.js';
import { benchCase, prng } from '../harness.js';

const EVENTS = 1_000_000;
const KEYS = 100_000;

interface Event {
  readonly id: string;
  readonly seq: number;
}

const ids = Array.from({ length: KEYS }, (_, i) => `event${i}`);

/** 1,000,000 deliveries of 100,000 event ids (an at-least-once source, heavily redelivering). */
function* events(): Generator<Event> {
  const random = prng(11);
  for (let i = 0; i < EVENTS; i++) yield { id: ids[Math.floor(random() * KEYS)]!, seq: i };
}

class EventsFn extends DoFn<Uint8Array, Event> {
  *process(): Generator<Event> {
    yield* events();
  }
}

const state = { seen: StateSpecs.value(Coders.bool()) };
type S = typeof state;

class DedupFn extends StatefulDoFn<string, Event, Event, S> {
  constructor() {
    super({ state });
  }
  process(e: KV<string, Event>, ctx: StatefulProcessContext<string, Event, S>): void {
    const seen = ctx.state.seen;
    if (seen.read()) return;
    seen.write(true);
    ctx.output(e.value);
  }
}

await benchCase(import.meta.url, {
  name: 'state-dedup',
  plain() {
    const seen = new globalThis.Map<string, boolean>();
    let unique = 0;
    for (const e of events()) {
      if (seen.get(e.id)) continue;
      seen.set(e.id, true);
      unique++;
    }
    return { elements: EVENTS, checksum: unique };
  },
  async tributary() {
    const p = new Pipeline();
    const unique = Metrics.counter('bench', 'unique');
    p.apply(Impulse.create())
      .apply('Events', ParDo.of(new EventsFn()))
      .apply('Key', Map.of((e: Event) => kv(e.id, e)))
      .apply('Dedup', ParDo.of(new DedupFn()))
      .apply('Count', Map.of(() => unique.inc()));
    const result = new DirectRunner().run(p);
    await result.waitUntilFinish();
    return { elements: EVENTS, checksum: result.metrics().counter('unique') };
  },
});
