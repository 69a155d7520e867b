/** Impulse: the root primitive that emits one empty byte array in the global window. */
import { Coders } from '../coders/index.js';
import type { PBegin, PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { URN } from '../urns.js';

export class Impulse extends PTransform<PBegin, PCollection<Uint8Array>> {
  static create(): Impulse {
    return new Impulse('Impulse');
  }
  expand(_input: PBegin, ctx: ExpandContext): PCollection<Uint8Array> {
    ctx.setSpec({ urn: URN.IMPULSE });
    return ctx.createOutput<Uint8Array>('out', { coder: () => Coders.bytes(), isBounded: true });
  }
}
