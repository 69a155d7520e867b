/**
 * Shipped code throws typed errors (a TributaryError subclass naming the thing at fault), never a
 * plain `new Error(...)`: a user's code can tell them apart and every message says what to do.
 * This guards the count reached in issue #18 (zero); tests and benchmarks may throw plain errors.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED = ['sdk', 'runners', 'io', 'cli', 'engines'];

describe('typed errors only', () => {
  it('no `throw new Error(` in shipped code', () => {
    const found: string[] = [];
    for (const dir of SHIPPED) {
      for (const file of readdirSync(join(ROOT, dir), { recursive: true }) as string[]) {
        if (!file.endsWith('.ts')) continue;
        readFileSync(join(ROOT, dir, file), 'utf8')
          .split('\n')
          .forEach((line, i) => {
            if (/\bthrow new Error\(/.test(line)) found.push(`${dir}/${file}:${i + 1}`);
          });
      }
    }
    expect(found, 'throw a TributaryError subclass instead (sdk/errors.ts; runners/exec/errors.ts)').toEqual([]);
  });
});
