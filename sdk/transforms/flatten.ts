/** Flatten (`beam:transform:flatten:v1`): the union of several PCollections of one type. */
import { PipelineConstructionError } from '../errors.js';
import type { PCollection } from '../graph/pcollection.js';
import { PTransform, type ExpandContext } from '../graph/ptransform.js';
import { coderOf } from '../translate/to-proto.js';
import { URN } from '../urns.js';

export class Flatten<T> extends PTransform<readonly PCollection<T>[], PCollection<T>> {
  static pCollections<T>(): Flatten<T> {
    return new Flatten<T>('Flatten');
  }

  expand(inputs: readonly PCollection<T>[], ctx: ExpandContext): PCollection<T> {
    const first = inputs[0]!;
    for (const pc of inputs.slice(1)) {
      // As in Beam: window fns must be compatible; the output takes the first input's strategy.
      if (!pc.windowing.windowFn.isCompatible(first.windowing.windowFn)) {
        throw new PipelineConstructionError(
          `"${ctx.node.uniqueName}" flattens ${first} and ${pc}, whose window fns are incompatible: apply the same Window.into to both first`,
        );
      }
    }
    ctx.setSpec({ urn: URN.FLATTEN });
    return ctx.createOutput<T>('out', {
      coder: () => coderOf(first),
      isBounded: inputs.every((pc) => pc.isBounded),
    });
  }
}
