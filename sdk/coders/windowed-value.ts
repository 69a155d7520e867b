/**
 * beam:coder:windowed_value:v1 (Beam's "full" windowed value): timestamp (8 bytes, see
 * `timestamp.ts`), the windows (int32 count, each window nested), the pane info (see
 * `pane-info.ts`), then the value in the context given. Components: [value coder, window coder].
 *
 * beam:coder:param_windowed_value:v1: the timestamp, windows and pane are fixed in the payload
 * (encoded as a full windowed value of an empty byte array) and only the value is on the wire.
 */
import { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import type { Instant } from '../time/instant.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { WindowedValue } from '../values/windowed-value.js';
import { readPaneInfo, writePaneInfo } from './pane-info.js';
import { readTimestamp, writeTimestamp } from './timestamp.js';
import { readWindows, writeWindows } from './windows.js';
import { CoderUrns } from './urns.js';
import { NO_FIRING, type PaneInfo } from '../values/pane.js';

export class WindowedValueCoder<T> implements Coder<WindowedValue<T>> {
  readonly urn = CoderUrns.WINDOWED_VALUE;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(
    readonly valueCoder: Coder<T>,
    readonly windowCoder: Coder<BoundedWindow>,
  ) {
    this.components = [valueCoder as Coder<unknown>, windowCoder as Coder<unknown>];
    this.deterministic = valueCoder.deterministic && windowCoder.deterministic;
  }
  encode(wv: WindowedValue<T>, out: ByteWriter, nested: boolean): void {
    writeTimestamp(out, wv.timestamp);
    writeWindows(out, wv.windows, this.windowCoder);
    writePaneInfo(out, wv.pane);
    this.valueCoder.encode(wv.value, out, nested);
  }
  decode(input: ByteReader, nested: boolean): WindowedValue<T> {
    const timestamp = readTimestamp(input, 'the timestamp of a windowed value');
    const windows = readWindows(input, this.windowCoder);
    const pane = readPaneInfo(input);
    const value = this.valueCoder.decode(input, nested);
    return { value, timestamp, windows, pane };
  }
}

/** The fixed parts of a param windowed value. */
export interface WindowedValueParams {
  readonly timestamp: Instant;
  readonly windows: readonly BoundedWindow[];
  readonly pane?: PaneInfo;
}

export class ParamWindowedValueCoder<T> implements Coder<WindowedValue<T>> {
  readonly urn = CoderUrns.PARAM_WINDOWED_VALUE;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  readonly payload: Uint8Array;
  readonly timestamp: Instant;
  readonly windows: readonly BoundedWindow[];
  readonly pane: PaneInfo;
  constructor(
    readonly valueCoder: Coder<T>,
    readonly windowCoder: Coder<BoundedWindow>,
    params: WindowedValueParams,
  ) {
    this.components = [valueCoder as Coder<unknown>, windowCoder as Coder<unknown>];
    this.deterministic = valueCoder.deterministic;
    this.timestamp = params.timestamp;
    this.windows = params.windows;
    this.pane = params.pane ?? NO_FIRING;
    const w = new ByteWriter(64);
    writeTimestamp(w, this.timestamp);
    writeWindows(w, this.windows, windowCoder);
    writePaneInfo(w, this.pane);
    w.writeVarInt(0); // the empty byte-array value, nested, as Beam writes it
    this.payload = w.finish();
  }
  /** Rebuilds the coder from its proto payload. */
  static fromPayload<T>(
    valueCoder: Coder<T>,
    windowCoder: Coder<BoundedWindow>,
    payload: Uint8Array,
  ): ParamWindowedValueCoder<T> {
    const r = new ByteReader(payload);
    const timestamp = readTimestamp(r, 'the timestamp of a param_windowed_value payload');
    const windows = readWindows(r, windowCoder);
    const pane = readPaneInfo(r);
    return new ParamWindowedValueCoder(valueCoder, windowCoder, { timestamp, windows, pane });
  }
  encode(wv: WindowedValue<T>, out: ByteWriter, nested: boolean): void {
    this.valueCoder.encode(wv.value, out, nested);
  }
  decode(input: ByteReader, nested: boolean): WindowedValue<T> {
    const value = this.valueCoder.decode(input, nested);
    return { value, timestamp: this.timestamp, windows: this.windows, pane: this.pane };
  }
}
