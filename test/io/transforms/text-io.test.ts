import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Create, Duration, FixedWindows, Map, Pipeline, Window } from '../../../sdk/index.js';
import { PAssert, PASSERT_SUCCESS_COUNTER } from '../../../sdk/testing/passert.js';
import { DirectRunner } from '../../../runners/direct/direct-runner.js';
import { TextIO } from '../../../io/text/index.js';
import type { DeadLetter } from '../../../io/warehouse/index.js';
import { TestEvents } from './test-stream.js';

async function run(p: Pipeline, assertions: number) {
  const result = new DirectRunner().run(p);
  await result.waitUntilFinish();
  expect(result.metrics().counter(PASSERT_SUCCESS_COUNTER)).toBe(assertions);
  return result.metrics();
}

describe('TextIO', () => {
  const root = mkdtempSync(join(tmpdir(), 'tributary-tio-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('JSON lines round trip: writeJsonLines then readJsonLines', async () => {
    const values = [{ a: 1, b: 'x' }, { a: 2, b: 'y' }, { a: 3, b: 'z', nested: { n: [1, 2] } }];
    const prefix = join(root, 'json', 'out');
    const p = new Pipeline();
    const paths = p.apply('Values', Create.of(values)).apply('Write', TextIO.writeJsonLines(prefix, { numShards: 2 }));
    PAssert.that(paths).containsInAnyOrder([`${prefix}-00000-of-00002.jsonl`, `${prefix}-00001-of-00002.jsonl`]);
    const m = await run(p, 1);
    expect(m.counter('linesWritten')).toBe(3);

    const q = new Pipeline();
    PAssert.that(q.apply('Read', TextIO.readJsonLines(`${prefix}-*.jsonl`))).containsInAnyOrder(values);
    await run(q, 1);
  });

  it('text round trip, and per-window files', async () => {
    const prefix = join(root, 'text', 'lines');
    const p = new Pipeline();
    p.apply('Lines', Create.of(['alpha', 'beta', 'gamma'])).apply('Write', TextIO.write(prefix));
    await run(p, 0);
    expect(readFileSync(`${prefix}-00000-of-00001.txt`, 'utf8').split('\n').sort()).toEqual(['', 'alpha', 'beta', 'gamma']);
    const q = new Pipeline();
    PAssert.that(q.apply('Read', TextIO.read(join(root, 'text')))).containsInAnyOrder(['alpha', 'beta', 'gamma']);
    await run(q, 1);

    const T0 = Date.parse('2024-01-01T00:00:00Z');
    const w = new Pipeline();
    const files = w
      .apply('Events', new TestEvents<string>().addElements({ value: 'a', timestamp: T0 + 1 }, { value: 'b', timestamp: T0 + 3_600_001 }))
      .apply('Hourly', Window.into<string>(FixedWindows.of(Duration.hours(1))))
      .apply('Write', TextIO.write(join(root, 'windowed', 'w')));
    PAssert.that(files.apply('Names', Map.of((f: string) => f.slice(join(root, 'windowed').length + 1)))).satisfies((names) => {
      expect(names.sort()).toEqual(['w-20240101T000000Z-20240101T010000Z-00000-of-00001.txt', 'w-20240101T010000Z-20240101T020000Z-00000-of-00001.txt']);
    });
    await run(w, 1);
  });

  it('bad JSON lines fail the job, or go to the dead letter and are counted', async () => {
    const path = join(root, 'bad.jsonl');
    writeFileSync(path, '{"a":1}\nnot json\n{"a":2}\n');
    const p = new Pipeline();
    p.apply('Read', TextIO.readJsonLines(path));
    await expect(new DirectRunner().run(p).waitUntilFinish()).rejects.toThrow(`transform "Read/ReadJsonLines" failed in process: ${path}:2: not valid JSON`);

    const q = new Pipeline();
    const out = q.apply('Read', TextIO.readJsonLines(path, { deadLetter: true }));
    PAssert.that(out.values).containsInAnyOrder([{ a: 1 }, { a: 2 }]);
    PAssert.that(out.deadLetter.apply('Where', Map.of((d: DeadLetter) => [d.path, d.line, d.problem, d.row] as const))).containsInAnyOrder([[path, 2, 'bad-json', 'not json']]);
    const m = await run(q, 2);
    expect(m.counter('badLines')).toBe(1);
    expect(m.counter('lines')).toBe(2);
  });

  it('a missing path fails when the pipeline starts', async () => {
    const p = new Pipeline();
    p.apply('Read', TextIO.read(join(root, 'missing.txt')));
    await expect(new DirectRunner().run(p).waitUntilFinish()).rejects.toThrow(`transform "Read/ExpandFiles" failed in setup: validate ${join(root, 'missing.txt')}: no such file or directory`);
  });
});
