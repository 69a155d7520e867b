/**
 * Grouping keys for the in-process shuffle. Beam groups by the key's encoded bytes; encoding every
 * key would dominate a word count, so keys whose JavaScript identity already matches their
 * encoding (strings, numbers, booleans under their standard coders or the JSON coder) are used as
 * they are, and only other keys are encoded. Encoded keys start with NUL, which no key used as is
 * may start with, so the two kinds never collide.
 */
import { CoderMismatchError } from '../../sdk/errors.js';
import { encodeToBytes, latin1, type Coder } from '../../sdk/coders/index.js';

export type GroupingKey = string | number | boolean | null | undefined;
export type GroupingKeyFn = (key: unknown) => GroupingKey;

export function groupingKeyFn(coder: Coder<unknown>, pcollection: string): GroupingKeyFn {
  const encoded = (key: unknown): string => {
    try {
      return '\u0000' + latin1(encodeToBytes(coder, key, true));
    } catch (e) {
      throw new CoderMismatchError(pcollection, `cannot encode key ${preview(key)} with ${coder.urn}: ${(e as Error).message}`, { cause: e });
    }
  };
  const expect = (type: string) => (key: unknown): GroupingKey => {
    if (typeof key !== type) throw new CoderMismatchError(pcollection, `key ${preview(key)} is not a ${type}, but the key coder is ${coder.urn}`);
    return key as GroupingKey;
  };
  switch (coder.urn) {
    // A runner that does not know a coder (Beam's Java runners and Tributary's JSON coder) sends
    // it length-prefixed; the prefix is a function of the inner bytes, so the inner coder's
    // grouping key groups the same keys (encoding every key cost the harness ~0.3 µs an element).
    case 'beam:coder:length_prefix:v1':
      return coder.components[0] ? groupingKeyFn(coder.components[0], pcollection) : encoded;
    case 'beam:coder:string_utf8:v1':
      return (key) => (typeof key === 'string' && key.charCodeAt(0) !== 0 ? key : typeof key === 'string' ? encoded(key) : expect('string')(key));
    case 'beam:coder:varint:v1':
    case 'beam:coder:double:v1':
      return (key) => (typeof key === 'number' && !Object.is(key, -0) ? key : typeof key === 'number' ? encoded(key) : expect('number')(key));
    case 'beam:coder:bool:v1':
      return expect('boolean');
    case 'tributary:coder:json:v1':
      return (key) => {
        switch (typeof key) {
          case 'string':
            return key.charCodeAt(0) === 0 ? encoded(key) : key;
          case 'number':
            return Object.is(key, -0) ? encoded(key) : key;
          case 'boolean':
          case 'undefined':
            return key;
          default:
            return key === null ? null : encoded(key);
        }
      };
    default:
      return encoded;
  }
}

function preview(v: unknown): string {
  try {
    const s = typeof v === 'string' ? JSON.stringify(v) : String(v);
    return s.length > 60 ? `${s.slice(0, 57)}...` : s;
  } catch {
    return typeof v;
  }
}
