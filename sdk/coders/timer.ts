/**
 * beam:coder:timer:v1: the user key (nested, key coder), the dynamic timer tag (nested UTF-8
 * string), the windows (int32 count, each nested), the clear bit (bool); and, when the timer is
 * not cleared, the fire timestamp, the hold timestamp and the pane info.
 * Components: [key coder, window coder].
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import type { Coder } from './coder.js';
import type { Instant } from '../time/instant.js';
import type { BoundedWindow } from '../window/bounded-window.js';
import type { PaneInfo } from '../values/pane.js';
import { NO_FIRING } from '../values/pane.js';
import { readPaneInfo, writePaneInfo } from './pane-info.js';
import { readTimestamp, writeTimestamp } from './timestamp.js';
import { readWindows, writeWindows } from './windows.js';
import { CoderUrns } from './urns.js';

/** A timer as the Fn API carries it. A cleared timer has no timestamps or pane. */
export interface Timer<K> {
  readonly userKey: K;
  readonly dynamicTimerTag: string;
  readonly windows: readonly BoundedWindow[];
  readonly clearBit: boolean;
  readonly fireTimestamp?: Instant;
  readonly holdTimestamp?: Instant;
  readonly pane?: PaneInfo;
}

export class TimerCoder<K> implements Coder<Timer<K>> {
  readonly urn = CoderUrns.TIMER;
  readonly components: readonly Coder<unknown>[];
  readonly deterministic: boolean;
  constructor(
    readonly keyCoder: Coder<K>,
    readonly windowCoder: Coder<BoundedWindow>,
  ) {
    this.components = [keyCoder as Coder<unknown>, windowCoder as Coder<unknown>];
    this.deterministic = keyCoder.deterministic && windowCoder.deterministic;
  }
  encode(t: Timer<K>, out: ByteWriter): void {
    this.keyCoder.encode(t.userKey, out, true);
    out.writeLengthPrefixedUtf8(t.dynamicTimerTag ?? '');
    writeWindows(out, t.windows, this.windowCoder);
    out.writeByte(t.clearBit ? 1 : 0);
    if (t.clearBit) return;
    if (t.fireTimestamp === undefined || t.holdTimestamp === undefined) {
      throw new TypeError('timer coder cannot encode a timer that is not cleared but has no fireTimestamp/holdTimestamp');
    }
    writeTimestamp(out, t.fireTimestamp);
    writeTimestamp(out, t.holdTimestamp);
    writePaneInfo(out, t.pane ?? NO_FIRING);
  }
  decode(input: ByteReader): Timer<K> {
    const userKey = this.keyCoder.decode(input, true);
    const tagLen = input.readVarInt('the length of a dynamic timer tag');
    const dynamicTimerTag = input.readUtf8(tagLen, 'a dynamic timer tag');
    const windows = readWindows(input, this.windowCoder);
    const clear = input.readByte('the clear bit of a timer');
    if (clear === 1) return { userKey, dynamicTimerTag, windows, clearBit: true };
    if (clear !== 0) throw new RangeError(`malformed timer: clear bit ${clear} is neither 0 nor 1`);
    const fireTimestamp = readTimestamp(input, 'the fire timestamp of a timer');
    const holdTimestamp = readTimestamp(input, 'the hold timestamp of a timer');
    const pane = readPaneInfo(input);
    return { userKey, dynamicTimerTag, windows, clearBit: false, fireTimestamp, holdTimestamp, pane };
  }
}
