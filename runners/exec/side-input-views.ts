/**
 * A side input as user code sees it: the view (singleton, iterable, list, map, multimap) built
 * from one window's values. Where the values come from is the runner's business: the direct
 * runner collects them in process, the SDK harness reads them over the Fn API state plane.
 */
import type { ViewKind } from '../../sdk/transforms/side-inputs.js';
import type { KV } from '../../sdk/values/kv.js';
import type { BoundedWindow } from '../../sdk/window/bounded-window.js';
import { SideInputError } from './errors.js';

/** Read access to one side input, per main-input window. */
export interface SideInputAccess {
  isReady(mainWindow: BoundedWindow): boolean;
  get(mainWindow: BoundedWindow): unknown;
  /** Changes whenever the side input received something: a main element waiting for it may be
   *  ready now. Absent: readiness changes only with the watermark. */
  version?(): number;
}

/** User code's read of side input `name` for `window`, from the ParDo's supplied accesses. */
export function readSideInput(accesses: ReadonlyMap<string, SideInputAccess> | undefined, name: string, window: BoundedWindow): unknown {
  const access = accesses?.get(name);
  if (!access) {
    throw new SideInputError(name, `side input "${name}" was not supplied; supplied: ${[...(accesses?.keys() ?? [])].join(', ') || 'none'} (use .withSideInputs({...}))`);
  }
  return access.get(window);
}

/**
 * The view of one window's `values`. `latest`: the values are a triggered side input's, in
 * arrival order — a singleton is the last one, a map holds each key's last value.
 */
export function buildView(kind: ViewKind, values: unknown[], name: string, defaultValue: { value: unknown } | undefined, latest = false): unknown {
  switch (kind) {
    case 'iterable':
    case 'list':
      return Object.freeze(values.slice());
    case 'singleton':
      if (values.length === 1 || (latest && values.length > 1)) return values[values.length - 1];
      if (values.length === 0) {
        if (defaultValue) return defaultValue.value;
        throw new SideInputError(name, `side input "${name}" is a singleton view of an empty PCollection; give View.asSingleton a defaultValue`);
      }
      throw new SideInputError(name, `side input "${name}" is a singleton view, but the PCollection has ${values.length} elements in this window; use View.asList or combine it first`);
    case 'map': {
      const m = new Map<unknown, unknown>();
      for (const e of values as KV<unknown, unknown>[]) {
        if (m.has(e.key) && !latest) throw new SideInputError(name, `side input "${name}" is a map view, but key ${JSON.stringify(e.key)} appears more than once; use View.asMultimap`);
        m.set(e.key, e.value);
      }
      return m;
    }
    case 'multimap': {
      const m = new Map<unknown, unknown[]>();
      for (const e of values as KV<unknown, unknown>[]) {
        const list = m.get(e.key);
        if (list) list.push(e.value);
        else m.set(e.key, [e.value]);
      }
      return m;
    }
  }
}
