import { describe, expect, it } from 'vitest';
import {
  ByteReader,
  ByteWriter,
  Coders,
  CoderUrns,
  coderFromSpec,
  decodeFromBytes,
  describeCoder,
  encodeToBytes,
  knownCoderUrns,
  readPaneInfo,
  readTimestamp,
  registerCoder,
  structuralKey,
  writePaneInfo,
  writeTimestamp,
  type Coder,
} from '../../sdk/coders/index.js';
import { Instant } from '../../sdk/time/instant.js';
import { GLOBAL_WINDOW_MAX, GLOBAL_WINDOWS, GlobalWindow, IntervalWindow } from '../../sdk/window/bounded-window.js';
import { NO_FIRING, type PaneInfo } from '../../sdk/values/pane.js';
import { kv } from '../../sdk/values/kv.js';
import { inGlobalWindow, windowedValue } from '../../sdk/values/windowed-value.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => new Uint8Array(Buffer.from(h.replace(/\s/g, ''), 'hex'));
const ms = (n: number) => Instant.ofEpochMillis(n);

describe('timestamps', () => {
  const enc = (t: number) => {
    const w = new ByteWriter();
    writeTimestamp(w, t);
    return hex(w.finish());
  };
  const dec = (h: string) => readTimestamp(new ByteReader(bytes(h)));

  it('flip the sign bit, big-endian', () => {
    expect(enc(0)).toBe('8000000000000000');
    expect(enc(1000)).toBe('80000000000003e8');
    expect(enc(-1)).toBe('7fffffffffffffff');
    expect(enc(-100)).toBe('7fffffffffffff9c');
    expect(dec('7fffffffffffff9c')).toBe(-100);
    expect(dec('80000000000003e8')).toBe(1000);
  });

  it("map Beam's bounds to their exact int64 values and back", () => {
    expect(enc(Instant.MIN)).toBe('7fdf3b645a1cac09');
    expect(enc(Instant.MAX)).toBe('8020c49ba5e353f7');
    expect(enc(GLOBAL_WINDOW_MAX)).toBe('8020c49ba0bcf7f7');
    expect(dec('7fdf3b645a1cac09')).toBe(Instant.MIN);
    expect(dec('8020c49ba5e353f7')).toBe(Instant.MAX);
    expect(dec(enc(GLOBAL_WINDOW_MAX))).toBe(GLOBAL_WINDOW_MAX);
    const exact = new ByteReader(bytes(enc(GLOBAL_WINDOW_MAX))).readBigUint64BE() - (1n << 63n);
    expect(exact).toBe(9223372036854775n - 86_400_000n);
    expect(enc(-Infinity)).toBe(enc(Instant.MIN));
    expect(enc(Infinity)).toBe(enc(Instant.MAX));
  });

  it('refuse fractional millis', () => {
    expect(() => enc(1.5)).toThrow('cannot encode timestamp 1.5: not an integer number of milliseconds');
    expect(() => enc(NaN)).toThrow('cannot encode timestamp NaN');
  });
});

describe('pane info', () => {
  const round = (p: PaneInfo) => {
    const w = new ByteWriter();
    writePaneInfo(w, p);
    const b = w.finish();
    return { hex: hex(b), back: readPaneInfo(new ByteReader(b)) };
  };
  it('writes NO_FIRING as 0x0f and reads it back as the shared constant', () => {
    expect(round(NO_FIRING)).toEqual({ hex: '0f', back: NO_FIRING });
    expect(readPaneInfo(new ByteReader(bytes('0f')))).toBe(NO_FIRING);
  });
  it.each([
    [{ isFirst: true, isLast: false, timing: 'EARLY', index: 0, onTimeIndex: -1 }, '1100'],
    [{ isFirst: false, isLast: false, timing: 'EARLY', index: 3, onTimeIndex: -1 }, '1003'],
    [{ isFirst: false, isLast: false, timing: 'ON_TIME', index: 4, onTimeIndex: 0 }, '240400'],
    [{ isFirst: true, isLast: true, timing: 'ON_TIME', index: 0, onTimeIndex: 0 }, '07'],
    [{ isFirst: false, isLast: true, timing: 'LATE', index: 5, onTimeIndex: 5 }, '1a05'],
    [{ isFirst: false, isLast: true, timing: 'ON_TIME', index: 30, onTimeIndex: 40 }, '261e28'],
  ] as [PaneInfo, string][])('encodes %o as %s', (p, h) => {
    const r = round(p);
    expect(r.hex).toBe(h);
    expect(r.back).toEqual(p);
  });
  it('rejects an unknown encoding', () => {
    expect(() => readPaneInfo(new ByteReader(bytes('3f')))).toThrow('malformed pane info byte 0x3f: unknown encoding 3');
  });
});

describe('windows and windowed values', () => {
  it('interval windows are exact at the bounds', () => {
    const c = Coders.intervalWindow();
    for (const w of [
      new IntervalWindow(Instant.MIN, Instant.MAX),
      new IntervalWindow(Instant.MIN, ms(0)),
      new IntervalWindow(ms(-5), ms(10)),
      new IntervalWindow(ms(0), GLOBAL_WINDOW_MAX),
    ]) {
      expect(decodeFromBytes(c, encodeToBytes(c, w))).toEqual(w);
    }
    expect(() => encodeToBytes(c, GlobalWindow.INSTANCE as unknown as IntervalWindow)).toThrow(
      'interval_window coder cannot encode GlobalWindow: expected an IntervalWindow',
    );
  });

  it('windowed values in the global window decode to the shared window list', () => {
    const c = Coders.windowedValue(Coders.string(), Coders.globalWindow());
    const wv = inGlobalWindow('x');
    const back = decodeFromBytes(c, encodeToBytes(c, wv));
    expect(back).toEqual(wv);
    expect(back.windows).toBe(GLOBAL_WINDOWS);
  });

  it('windowed values keep panes and several windows', () => {
    const c = Coders.windowedValue(Coders.varint(), Coders.intervalWindow());
    const pane: PaneInfo = { isFirst: false, isLast: false, timing: 'LATE', index: 7, onTimeIndex: 2 };
    const wv = windowedValue(42, ms(15), [new IntervalWindow(ms(10), ms(20)), new IntervalWindow(ms(0), ms(30))], pane);
    expect(decodeFromBytes(c, encodeToBytes(c, wv, true), true)).toEqual(wv);
  });

  it('param windowed values carry the fixed parts in the payload', () => {
    const pane: PaneInfo = { isFirst: false, isLast: true, timing: 'ON_TIME', index: 30, onTimeIndex: 40 };
    const c = Coders.paramWindowedValue(Coders.varint(), Coders.intervalWindow(), {
      timestamp: ms(1000),
      windows: [new IntervalWindow(ms(10), ms(20))],
      pane,
    });
    // The payload in Beam's standard_coders.yaml for these parameters.
    expect(hex(c.payload!)).toBe('80000000000003e8' + '00000001' + '8000000000000014' + '0a' + '261e28' + '00');
    expect(hex(encodeToBytes(c, windowedValue(2, ms(0), GLOBAL_WINDOWS)))).toBe('02');
    const rebuilt = coderFromSpec(CoderUrns.PARAM_WINDOWED_VALUE, [Coders.varint(), Coders.intervalWindow()], c.payload);
    expect(decodeFromBytes(rebuilt, bytes('02'))).toEqual(windowedValue(2, ms(1000), [new IntervalWindow(ms(10), ms(20))], pane));
  });

  it('timers round-trip, cleared or not', () => {
    const c = Coders.timer(Coders.string(), Coders.globalWindow());
    const set = { userKey: 'k', dynamicTimerTag: '', windows: GLOBAL_WINDOWS, clearBit: false, fireTimestamp: ms(5), holdTimestamp: Instant.MIN, pane: NO_FIRING };
    expect(decodeFromBytes(c, encodeToBytes(c, set))).toEqual(set);
    const cleared = { userKey: 'k', dynamicTimerTag: 't', windows: GLOBAL_WINDOWS, clearBit: true };
    expect(decodeFromBytes(c, encodeToBytes(c, cleared))).toEqual(cleared);
    expect(() => encodeToBytes(c, { ...set, fireTimestamp: undefined })).toThrow(/not cleared but has no fireTimestamp/);
  });
});

describe('composite coders', () => {
  it('nullable writes a marker byte', () => {
    const c = Coders.nullable(Coders.string());
    expect(hex(encodeToBytes(c, null))).toBe('00');
    expect(hex(encodeToBytes(c, 'a', true))).toBe('010161');
    expect(hex(encodeToBytes(c, 'a'))).toBe('0161');
    expect(decodeFromBytes(c, bytes('00'))).toBeNull();
    expect(decodeFromBytes(c, bytes('0161'))).toBe('a');
    expect(() => decodeFromBytes(c, bytes('02'))).toThrow('malformed nullable value: marker byte 2 at offset 0 is neither 0 nor 1');
  });

  it('length_prefix wraps the outer encoding in a varint length', () => {
    const c = Coders.lengthPrefix(Coders.string());
    expect(hex(encodeToBytes(c, 'abc'))).toBe('03616263');
    const long = 'y'.repeat(200);
    expect(decodeFromBytes(c, encodeToBytes(c, long))).toBe(long);
    const kvc = Coders.lengthPrefix(Coders.kv(Coders.varint(), Coders.bytes()));
    expect(hex(encodeToBytes(kvc, kv(1, new Uint8Array([9, 9]))))).toBe('03' + '01' + '0909');
    expect(() => decodeFromBytes(Coders.lengthPrefix(Coders.varint()), bytes('020100'))).toThrow(
      'malformed length-prefixed value: its coder beam:coder:varint:v1 left 1 of 2 bytes unread',
    );
  });

  it('iterables encode any iterable and decode the unknown-length form', () => {
    const c = Coders.iterable(Coders.varint());
    expect(hex(encodeToBytes(c, new Set([1, 2]) as unknown as number[]))).toBe('000000020102');
    expect(decodeFromBytes(c, bytes('ffffffff 02 0102 01 03 00'))).toEqual([1, 2, 3]);
    expect(() => decodeFromBytes(c, bytes('fffffffe'))).toThrow('malformed an iterable: element count -2');
    expect(() => decodeFromBytes(c, bytes('00000005 01'))).toThrow(/truncated input: reading a varint/);
  });

  it('primitive coders refuse values of the wrong type, naming them', () => {
    expect(() => encodeToBytes(Coders.varint(), 1.5)).toThrow('varint coder cannot encode 1.5: not an integer');
    expect(() => encodeToBytes(Coders.varint(), '5' as unknown as number)).toThrow(
      'varint coder cannot encode the string "5": expected an integer number or bigint',
    );
    expect(hex(encodeToBytes(Coders.varint(), -1n as unknown as number))).toBe('ffffffffffffffffff01');
    expect(() => encodeToBytes(Coders.string(), 5 as unknown as string)).toThrow(
      'string_utf8 coder cannot encode number 5: expected a string',
    );
    expect(() => encodeToBytes(Coders.bytes(), 'x' as unknown as Uint8Array)).toThrow(
      'bytes coder cannot encode the string "x": expected a Uint8Array',
    );
    expect(() => encodeToBytes(Coders.bool(), 1 as unknown as boolean)).toThrow('bool coder cannot encode number 1: expected a boolean');
    expect(() => decodeFromBytes(Coders.bool(), bytes('02'))).toThrow('malformed bool: byte 2 at offset 0 is neither 0 nor 1');
  });

  it('decodeFromBytes refuses leftover bytes', () => {
    expect(() => decodeFromBytes(Coders.varint(), bytes('0101'))).toThrow(
      'coder varint decoded a value from 1 of 2 bytes and left 1 unread: wrong coder for these bytes?',
    );
  });

  it('describes coders readably', () => {
    expect(describeCoder(Coders.kv(Coders.string(), Coders.iterable(Coders.double())))).toBe('kv(string_utf8, iterable(double))');
  });
});

describe('registry', () => {
  it('knows every coder URN', () => {
    expect(knownCoderUrns()).toEqual(Object.values(CoderUrns).sort());
  });

  it('rebuilds composite coders from specs', () => {
    const c = coderFromSpec(CoderUrns.KV, [coderFromSpec(CoderUrns.STRING_UTF8), coderFromSpec(CoderUrns.JSON)]);
    expect(describeCoder(c)).toBe('kv(string_utf8, json)');
    expect(decodeFromBytes(c, encodeToBytes(c, kv('a', { b: [1] })))).toEqual(kv('a', { b: [1] }));
  });

  it('names an unknown URN and the known ones', () => {
    expect(() => coderFromSpec('beam:coder:nope:v1')).toThrow(
      `unknown coder URN "beam:coder:nope:v1": Tributary knows ${knownCoderUrns().join(', ')}`,
    );
  });

  it('checks the number of components', () => {
    expect(() => coderFromSpec(CoderUrns.KV, [Coders.string()])).toThrow(
      'coder "beam:coder:kv:v1" takes 2 component coder(s), got 1 (string_utf8)',
    );
  });

  it('accepts new URNs, once', () => {
    const custom: Coder<number> = { ...Coders.varint(), urn: 'test:coder:custom:v1', encode: Coders.varint().encode, decode: Coders.varint().decode };
    registerCoder('test:coder:custom:v1', () => custom as Coder<unknown>, { arity: 0 });
    expect(coderFromSpec('test:coder:custom:v1')).toBe(custom);
    expect(() => registerCoder('test:coder:custom:v1', () => custom as Coder<unknown>)).toThrow(
      'coder URN "test:coder:custom:v1" is already registered',
    );
  });
});

describe('structuralKey', () => {
  it('is the value itself for string, varint and bool coders', () => {
    expect(structuralKey(Coders.string(), 'abc')).toBe('abc');
    expect(structuralKey(Coders.varint(), 42)).toBe(42);
    expect(structuralKey(Coders.varint(), -0)).toBe(0);
    expect(structuralKey(Coders.varint(), 42n as unknown as number)).toBe(42);
    expect(structuralKey(Coders.bool(), true)).toBe(true);
    expect(structuralKey(Coders.lengthPrefix(Coders.string()), 'abc')).toBe('abc');
  });

  it('is the latin1 string of the encoded bytes otherwise', () => {
    expect(structuralKey(Coders.bytes(), new Uint8Array([0x61, 0xff]))).toBe('a\u00ff');
    const c = Coders.kv(Coders.string(), Coders.varint());
    expect(structuralKey(c, kv('a', 1))).toBe('\u0001a\u0001');
    expect(structuralKey(c, kv('a', 1))).toBe(structuralKey(c, kv('a', 1)));
    expect(structuralKey(c, kv('a', 1))).not.toBe(structuralKey(c, kv('a', 2)));
    expect(structuralKey(Coders.nullable(Coders.string()), null)).toBe('\u0000');
    const long = new Uint8Array(300).map((_, i) => i & 0xff);
    expect(structuralKey(Coders.bytes(), long)).toBe(Buffer.from(long).toString('latin1'));
  });

  it('still validates values for identity coders', () => {
    expect(() => structuralKey(Coders.varint(), 1.5)).toThrow('varint coder cannot encode 1.5: not an integer');
  });

  it('refuses non-deterministic coders with an actionable message', () => {
    expect(() => structuralKey(Coders.double(), 1)).toThrow(
      /^key coder double is not deterministic: GroupByKey needs a deterministic key coder/,
    );
    expect(() => structuralKey(Coders.kv(Coders.string(), Coders.double()), kv('a', 1))).toThrow(
      /key coder kv\(string_utf8, double\) is not deterministic/,
    );
  });
});
