/** The smallest real pipeline: what start-up costs before any work. */
import { Create, Map, Pipeline } from '../../sdk/index.js';

export default function build(p: Pipeline): void {
  p.apply('Numbers', Create.of([1, 2, 3])).apply('Double', Map.of((n: number) => n * 2));
}
