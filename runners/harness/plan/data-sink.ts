/**
 * A data sink (`beam:runner:sink:v1`): encodes the windowed values it receives with the port's
 * coder and sends them to the runner in batches; the bundle's end sends the rest with `is_last`.
 */
import { ByteWriter, type Coder } from '../../../sdk/coders/index.js';
import type { WindowedValue } from '../../../sdk/values/windowed-value.js';
import type { Delivery } from '../../exec/unit.js';
import type { BundleContext, HarnessUnit } from './context.js';
import { CoderMismatchError } from '../../../sdk/errors.js';
import { groupingKeyFn } from '../../exec/grouping-key.js';

export class DataSinkUnit implements HarnessUnit {
  private bundle!: BundleContext;
  private readonly out = new ByteWriter(64 * 1024);
  elements = 0;

  constructor(
    readonly name: string,
    readonly transformId: string,
    private readonly coder: Coder<WindowedValue<unknown>>,
    /** The PCollection's name, for errors. */
    private readonly pcollection: string,
  ) {}

  start(bundle: BundleContext): void {
    this.bundle = bundle;
    this.out.reset();
    this.elements = 0;
  }

  receive(wv: WindowedValue<unknown>): Delivery {
    const at = this.out.length;
    try {
      this.coder.encode(wv, this.out, true);
    } catch (e) {
      this.out.truncate(at);
      throw coderMismatch(this.pcollection, this.coder, wv.value, e);
    }
    this.elements++;
    if (this.out.length >= this.bundle.data.flushBytes) return this.send(false);
  }

  /** Sends the rest, marked last. Runs after every unit upstream finished its bundle. */
  close(): Delivery {
    return this.send(true);
  }

  private send(isLast: boolean): Delivery {
    const bytes = this.out.finish();
    this.out.reset();
    return this.bundle.data.send(this.bundle.instructionId, this.transformId, bytes, isLast);
  }
}

/** Why an element does not encode, said as the direct runner says it (a key first: that is
 *  where a grouping downstream would have found it). */
function coderMismatch(pcollection: string, coder: Coder<WindowedValue<unknown>>, value: unknown, e: unknown): Error {
  let valueCoder = coder.components[0];
  while (valueCoder?.urn === 'beam:coder:length_prefix:v1') valueCoder = valueCoder.components[0];
  const keyCoder = valueCoder?.urn === 'beam:coder:kv:v1' ? valueCoder.components[0] : undefined;
  if (keyCoder && value !== null && typeof value === 'object' && 'key' in value) groupingKeyFn(keyCoder, pcollection)((value as { key: unknown }).key);
  return new CoderMismatchError(pcollection, `cannot encode an element with ${valueCoder?.urn ?? coder.urn}: ${(e as Error).message}`, { cause: e });
}
