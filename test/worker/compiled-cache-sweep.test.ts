/** The compiled-pipeline cache forgets copies of pipeline files that are gone, and only old ones. */
import { existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { sweepOrphans } from '../../runners/worker/compile-pipeline-file.js';
import { tempDirForTest } from '../temp-dir.js';

const HOUR = 60 * 60 * 1000;

test('a copy whose pipeline file is gone is swept once it is an hour old; live and young ones stay', () => {
  const root = tempDirForTest('tributary-sweep-');
  const cache = join(root, 'cache');
  mkdirSync(cache);
  const now = Date.now();
  const pipeline = (name: string, exists: boolean): string => {
    const file = join(root, `${name}.ts`);
    if (exists) writeFileSync(file, 'export default () => {};');
    return file;
  };
  const copy = (name: string, source: string | undefined, ageMs: number, inputs: string[] = []): { record: string; output: string } => {
    const output = join(cache, `${name}.mjs`);
    const record = join(cache, `${name}.json`);
    writeFileSync(output, '// compiled');
    writeFileSync(record, JSON.stringify({ source, output, inputs: inputs.map((f) => [f, 1, 1]) }));
    const at = (now - ageMs) / 1000;
    utimesSync(output, at, at);
    utimesSync(record, at, at);
    return { record, output };
  };
  const live = copy('live', pipeline('live', true), 2 * HOUR);
  const deletedOld = copy('deleted-old', pipeline('deleted-old', false), 2 * HOUR);
  const deletedYoung = copy('deleted-young', pipeline('deleted-young', false), 10 * 60 * 1000);
  // A record from before records named their source: judged by its first input.
  const legacyGone = copy('legacy-gone', undefined, 2 * HOUR, [pipeline('legacy-gone', false)]);
  const legacyLive = copy('legacy-live', undefined, 2 * HOUR, [pipeline('legacy-live', true)]);
  const orphanOld = join(cache, 'orphan-old.mjs');
  const orphanYoung = join(cache, 'orphan-young.mjs.123.partial');
  writeFileSync(orphanOld, '');
  writeFileSync(orphanYoung, '');
  utimesSync(orphanOld, (now - 2 * HOUR) / 1000, (now - 2 * HOUR) / 1000);
  writeFileSync(join(cache, 'corrupt.json'), '{');
  utimesSync(join(cache, 'corrupt.json'), (now - 2 * HOUR) / 1000, (now - 2 * HOUR) / 1000);

  sweepOrphans(cache, now);

  const present = (p: { record: string; output: string }): [boolean, boolean] => [existsSync(p.record), existsSync(p.output)];
  expect(present(live)).toEqual([true, true]);
  expect(present(deletedOld)).toEqual([false, false]);
  expect(present(deletedYoung)).toEqual([true, true]);
  expect(present(legacyGone)).toEqual([false, false]);
  expect(present(legacyLive)).toEqual([true, true]);
  expect(existsSync(orphanOld)).toBe(false);
  expect(existsSync(orphanYoung)).toBe(true);
  expect(existsSync(join(cache, 'corrupt.json'))).toBe(false);
});
