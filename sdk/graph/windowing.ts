/**
 * The graph's view of windowing: the strategy type, the default (global window, default
 * trigger), and translation to and from the proto's WindowingStrategy. Kept in one place so the
 * graph depends on `sdk/window` through this file only.
 */
export {
  WindowingStrategy,
  windowingStrategyToProto,
  windowingStrategyFromProto,
} from '../window/windowing-strategy.js';
import { WindowingStrategy } from '../window/windowing-strategy.js';

let globalDefault: WindowingStrategy | undefined;

/** The global window with the default trigger: what root transforms produce. */
export function defaultWindowingStrategy(): WindowingStrategy {
  return (globalDefault ??= WindowingStrategy.globalDefault());
}
