/**
 * Enriching orders with side inputs, splitting them with tagged outputs: each order is priced in
 * euros with a rates table (a map side input), checked against the customer list (a multimap side
 * input of the customers' accounts), and sent to the main output, or to `unknownCurrency` or
 * `unknownCustomer`. Totals per customer are printed at the end.
 *
 *   npx tributary run examples/enrich-orders.ts --runner=direct [--orders=1000] [--minTotal=0]
 */
import {
  Create,
  DoFn,
  Map,
  Metrics,
  ParDo,
  Pipeline,
  Sum,
  View,
  kv,
  type KV,
  type ProcessContext,
} from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';

export const options = defineOptions({
  orders: { type: 'number', integer: true, default: 1000, describe: 'how many orders to generate' },
  minTotal: { type: 'number', default: 0, describe: 'print only customers whose total in EUR is at least this' },
});

export interface Order {
  readonly id: number;
  readonly customer: string;
  readonly currency: string;
  readonly amount: number;
}

export interface PricedOrder extends Order {
  readonly eur: number;
  readonly account: string;
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'XXX'];
const CUSTOMERS = ['ada', 'bob', 'cy', 'dee', 'eve', 'mallory'];
export const RATES: ReadonlyArray<KV<string, number>> = [kv('EUR', 1), kv('USD', 0.92), kv('GBP', 1.17), kv('JPY', 0.0062)];
/** Every known customer has one or more accounts; "mallory" has none. */
export const ACCOUNTS: ReadonlyArray<KV<string, string>> = [
  kv('ada', 'ada-1'),
  kv('ada', 'ada-2'),
  kv('bob', 'bob-1'),
  kv('cy', 'cy-1'),
  kv('dee', 'dee-1'),
  kv('eve', 'eve-1'),
];

/** Deterministic orders: the same `count` always gives the same orders. */
export function generateOrders(count: number): Order[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    customer: CUSTOMERS[(id * 7) % CUSTOMERS.length]!,
    currency: CURRENCIES[(id * 3) % CURRENCIES.length]!,
    amount: ((id * 37) % 500) + 1,
  }));
}

type Sides = { rates: ReadonlyMap<string, number>; accounts: ReadonlyMap<string, readonly string[]> };
type Rejections = { unknownCurrency: Order; unknownCustomer: Order };

export class PriceOrder extends DoFn<Order, PricedOrder, Rejections, Sides> {
  private readonly priced = Metrics.counter('orders', 'priced');
  process(order: Order, ctx: ProcessContext<PricedOrder, Rejections, Sides>): void {
    const rate = ctx.sideInput('rates').get(order.currency);
    if (rate === undefined) return ctx.outputTo('unknownCurrency', order);
    const accounts = ctx.sideInput('accounts').get(order.customer);
    if (!accounts?.length) return ctx.outputTo('unknownCustomer', order);
    this.priced.inc();
    ctx.output({ ...order, eur: Math.round(order.amount * rate * 100) / 100, account: [...accounts].sort()[0]! });
  }
}

/** Builds the pipeline; returns its outputs so tests can assert on them. */
export default function enrichOrders(p: Pipeline, opts: OptionsOf<typeof options>) {
  const rates = p.apply('Rates', Create.of([...RATES]));
  const accounts = p.apply('Accounts', Create.of([...ACCOUNTS]));
  const split = p
    .apply('Orders', Create.of(generateOrders(opts.orders)))
    .apply(
      'Price',
      ParDo.of(new PriceOrder())
        .withSideInputs({ rates: View.asMap(rates), accounts: View.asMultimap(accounts) })
        .withOutputTags('unknownCurrency', 'unknownCustomer'),
    );
  const rejected = Metrics.counter('orders', 'rejected');
  split.unknownCurrency.apply('CountBadCurrency', Map.of(() => rejected.inc()));
  split.unknownCustomer.apply('CountBadCustomer', Map.of(() => rejected.inc()));
  const totals = split.main
    .apply('ByCustomer', Map.of((o: PricedOrder) => kv(o.customer, o.eur)))
    .apply('Total', Sum.perKey<string>());
  totals.apply(
      'Print',
      Map.of((t: KV<string, number>) => {
        if (t.value >= opts.minTotal) console.log(`${t.key.padEnd(8)} ${t.value.toFixed(2).padStart(12)} EUR`);
      }),
    );
  return { totals, ...split };
}
