/**
 * Reshuffle (`beam:transform:reshuffle:v1`): semantically the identity; a hint to a runner to
 * break fusion and redistribute elements (the portable runner does; in-process it is free).
 */
import type { PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { coderOf } from '../translate/to-proto.js';
import { URN } from '../urns.js';
import { Map } from './element-wise.js';

export class Reshuffle<T> extends PTransform<PCollection<T>, PCollection<T>> {
  static viaRandomKey<T>(): Reshuffle<T> {
    return new Reshuffle<T>('Reshuffle');
  }
  expand(input: PCollection<T>, ctx: ExpandContext): PCollection<T> {
    ctx.setSpec({ urn: URN.RESHUFFLE });
    const out = input.apply('Identity', Map.of((x: T) => x));
    // The output is the input, element for element: its coder is the input's (a runner passes the
    // encoded elements through). A default coder is left to translation, which makes both sides
    // key/value when the output is grouped by key.
    return input.hasOwnCoder() ? out.withCoder(coderOf(input)) : out;
  }
}
