/**
 * Generated input for the identity-graph example (talk 13 of seeds/001, Intuit's identity graph):
 * people seen by three products — billing, payroll, customer care — each with its own field
 * names, and the mapping specs that say which fields identify a person and which are profile
 * attributes. One feed carries both, in arrival order. The specs change while the job runs: care
 * has no spec until a third of the way in (its events until then cannot be mapped), and payroll's
 * second spec adds its phone field as an identifier at half way.
 *
 * Deterministic: the same options (and seed) give the same feed, in every process.
 */
import { Instant } from '../../sdk/index.js';
import type { Arrival } from './replay.js';
import { seededRandom } from './random.js';

export type Product = 'billing' | 'payroll' | 'care';

export interface SourceEvent {
  readonly type: 'event';
  /** Unique per event. */
  readonly id: string;
  readonly source: Product;
  readonly fields: Readonly<Record<string, string | number>>;
  /** Epoch milliseconds (also the element's timestamp). */
  readonly time: number;
}

/** How a product's fields map onto the identity graph. */
export interface MappingSpec {
  readonly type: 'spec';
  readonly source: Product;
  readonly version: number;
  /** Field → identifier kind (`email`, `phone`, `realm`): an event links the identifiers it carries. */
  readonly identifiers: Readonly<Record<string, string>>;
  /** Field → profile attribute. */
  readonly attributes: Readonly<Record<string, string>>;
  readonly time: number;
}

export type IdentityFeedItem = SourceEvent | MappingSpec;

export interface IdentityOptions {
  readonly people: number;
  readonly hours: number;
  readonly seed: number;
}

export const identityDefaults: IdentityOptions = { people: 40, hours: 6, seed: 21 };

const START = Date.UTC(2024, 4, 1);
const HOUR = 3_600_000;

export function mappingSpecs(hours: number): MappingSpec[] {
  const at = (h: number) => START + Math.round(h * HOUR);
  return [
    { type: 'spec', source: 'billing', version: 1, identifiers: { cust_email: 'email', realm_id: 'realm' }, attributes: { plan: 'billing.plan' }, time: at(0) },
    { type: 'spec', source: 'payroll', version: 1, identifiers: { realmid: 'realm' }, attributes: { employees: 'payroll.employees' }, time: at(0) },
    { type: 'spec', source: 'care', version: 1, identifiers: { caller_phone: 'phone', contact_email: 'email' }, attributes: { last_issue: 'care.lastIssue' }, time: at(hours / 3) },
    { type: 'spec', source: 'payroll', version: 2, identifiers: { realmid: 'realm', phone_number: 'phone' }, attributes: { employees: 'payroll.employees' }, time: at(hours / 2) },
  ];
}

/** The feed: the specs as issued and every product's events, with unique arrival times. */
export function generateIdentities(options: Partial<IdentityOptions> = {}): Arrival<IdentityFeedItem>[] {
  const o = { ...identityDefaults, ...options };
  const rnd = seededRandom(o.seed);
  const out: Arrival<IdentityFeedItem>[] = [];
  const used = new Set<number>();
  const push = (value: IdentityFeedItem) => {
    let a = value.time;
    while (used.has(a)) a++;
    used.add(a);
    out.push({ value, timestamp: Instant.ofEpochMillis(value.time), arrival: Instant.ofEpochMillis(a) });
  };
  for (const spec of mappingSpecs(o.hours)) push(spec);
  const plans = ['simple', 'plus', 'advanced'];
  const issues = ['login', 'invoice', 'payroll tax', 'bank feed'];
  let n = 0;
  for (let i = 0; i < o.people; i++) {
    const email = `p${i}@example.com`;
    const phone = `+1555${String(1000 + i)}`;
    // Some people share a business (one realm): their identities join through it.
    const realm = `r${rnd.chance(0.3) ? Math.floor(i / 2) : 1000 + i}`;
    for (let k = rnd.int(1, 6); k > 0; k--) {
      const time = START + 1000 + rnd.int(0, o.hours * 60 - 1) * 60_000 + rnd.int(0, 59_999);
      const source = rnd.pick<Product>(['billing', 'payroll', 'care']);
      const fields: Record<string, string | number> =
        source === 'billing'
          ? { cust_email: email, realm_id: realm, plan: rnd.pick(plans) }
          : source === 'payroll'
            ? { realmid: realm, phone_number: phone, employees: rnd.int(1, 40) }
            : { caller_phone: phone, contact_email: rnd.chance(0.7) ? email : '', last_issue: rnd.pick(issues) };
      push({ type: 'event', id: `e${n++}`, source, fields, time });
    }
  }
  return out;
}
