/** Readable names of coders for error messages: `kv(string_utf8, iterable(double))`. */
import type { Coder } from './coder.js';

export function coderName(urn: string): string {
  const m = /^(?:beam|tributary):coder:([^:]+):v\d+$/.exec(urn);
  return m ? m[1]! : urn;
}

export function describeCoder(coder: Coder<unknown>): string {
  const name = coderName(coder.urn);
  return coder.components.length === 0 ? name : `${name}(${coder.components.map(describeCoder).join(', ')})`;
}
