/**
 * Beam's PaneInfo byte format. The first byte holds the encoding in its high nibble and, in its
 * low nibble, isFirst (bit 0), isLast (bit 1) and the timing (bits 2-3: EARLY=0, ON_TIME=1,
 * LATE=2, UNKNOWN=3). Encoding 0 ("first") carries no indices: index 0, onTimeIndex 0 (−1 for an
 * early pane); it is used when both indices are 0 or the timing is UNKNOWN. Encoding 1 ("one
 * index") is followed by the varint index, the onTimeIndex being equal to it (−1 for an early
 * pane); encoding 2 ("two indices") by the varint index and the varint onTimeIndex.
 */
import type { ByteReader, ByteWriter } from './bytes.js';
import { NO_FIRING, type PaneInfo, type PaneTiming } from '../values/pane.js';

const TIMINGS: readonly PaneTiming[] = ['EARLY', 'ON_TIME', 'LATE', 'UNKNOWN'];
const TIMING_ORDINAL: Record<PaneTiming, number> = { EARLY: 0, ON_TIME: 1, LATE: 2, UNKNOWN: 3 };

const ENCODING_FIRST = 0;
const ENCODING_ONE_INDEX = 1;
const ENCODING_TWO_INDICES = 2;

/** Panes of the "first" encoding, one per low nibble, shared so decoding does not allocate. */
const FIRST_PANES: readonly PaneInfo[] = Array.from({ length: 16 }, (_, tag) => {
  const timing = TIMINGS[tag >> 2]!;
  const pane = Object.freeze({
    isFirst: (tag & 1) !== 0,
    isLast: (tag & 2) !== 0,
    timing,
    index: 0,
    onTimeIndex: timing === 'EARLY' ? -1 : 0,
  });
  return tag === 0x0f ? NO_FIRING : pane;
});

export function paneTag(pane: PaneInfo): number {
  const ordinal = TIMING_ORDINAL[pane.timing];
  if (ordinal === undefined) throw new RangeError(`cannot encode pane: unknown timing "${pane.timing}"`);
  return (pane.isFirst ? 1 : 0) | (pane.isLast ? 2 : 0) | (ordinal << 2);
}

export function writePaneInfo(out: ByteWriter, pane: PaneInfo): void {
  if (pane === NO_FIRING) {
    out.writeByte(0x0f);
    return;
  }
  const tag = paneTag(pane);
  if ((pane.index === 0 && pane.onTimeIndex === 0) || pane.timing === 'UNKNOWN') {
    out.writeByte((ENCODING_FIRST << 4) | tag);
  } else if (pane.index === pane.onTimeIndex || pane.timing === 'EARLY') {
    out.writeByte((ENCODING_ONE_INDEX << 4) | tag);
    out.writeVarInt(pane.index);
  } else {
    out.writeByte((ENCODING_TWO_INDICES << 4) | tag);
    out.writeVarInt(pane.index);
    out.writeVarInt(pane.onTimeIndex);
  }
}

export function readPaneInfo(input: ByteReader): PaneInfo {
  const b = input.readByte('a pane info');
  const tag = b & 0x0f;
  const encoding = b >> 4;
  if (encoding === ENCODING_FIRST) return FIRST_PANES[tag]!;
  const timing = TIMINGS[tag >> 2]!;
  const isFirst = (tag & 1) !== 0;
  const isLast = (tag & 2) !== 0;
  if (encoding === ENCODING_ONE_INDEX) {
    const index = input.readVarInt('a pane index');
    return Object.freeze({ isFirst, isLast, timing, index, onTimeIndex: timing === 'EARLY' ? -1 : index });
  }
  if (encoding === ENCODING_TWO_INDICES) {
    const index = input.readVarInt('a pane index');
    const onTimeIndex = input.readVarInt('a pane on-time index');
    return Object.freeze({ isFirst, isLast, timing, index, onTimeIndex });
  }
  throw new RangeError(`malformed pane info byte 0x${b.toString(16)}: unknown encoding ${encoding}`);
}
