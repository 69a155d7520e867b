import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../io/storage/index.js';
import { TextLineError, readJsonLines, readLines, writeJsonLines, writeLines } from '../../io/text/index.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('text lines', () => {
  const storage = new MemoryStorage();
  const put = (k: string, s: string) => storage.write(`mem://b/${k}`, new TextEncoder().encode(s));

  it.each([
    ['LF', 'a\nb\nc\n', ['a', 'b', 'c']],
    ['final line without newline', 'a\nb\nc', ['a', 'b', 'c']],
    ['CRLF', 'a\r\nb\r\nc\r\n', ['a', 'b', 'c']],
    ['CRLF without final newline', 'a\r\nb\r\nc', ['a', 'b', 'c']],
    ['empty lines kept', 'a\n\nb\n', ['a', '', 'b']],
    ['empty file', '', []],
    ['BOM', '\uFEFFa\nb', ['a', 'b']],
    ['lone CR kept inside a line', 'a\rb\n', ['a\rb']],
  ])('%s', async (name, content, lines) => {
    await put(name, content);
    expect(await collect(readLines(`mem://b/${name}`, { storage }))).toEqual(lines);
  });

  it('streams lines and multi-byte characters split across chunks', async () => {
    // MemoryStorage streams 64 KiB chunks: make lines and a 3-byte character straddle a boundary
    const line = `${'x'.repeat(65535)}€`;
    const content = `${line}\r\n${line}\n`;
    await put('big', content);
    expect(await collect(readLines('mem://b/big', { storage }))).toEqual([line, line]);
  });

  it('joins a line that spans many chunks (linear: each chunk is searched once)', async () => {
    const long = 'y'.repeat(1024 * 1024 + 7); // 17 chunks of 64 KiB
    await put('long', `a\n${long}\r\nb`);
    expect(await collect(readLines('mem://b/long', { storage }))).toEqual(['a', long, 'b']);
  });

  it('a line longer than maxLineLength is a typed error naming the file and line', async () => {
    await put('too-long', `ok\n${'z'.repeat(300_000)}`); // no newline at all after line 1
    const err = await collect(readLines('mem://b/too-long', { storage, maxLineLength: 100_000 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TextLineError);
    expect((err as TextLineError).problem).toBe('line-too-long');
    expect((err as TextLineError).line).toBe(2);
    expect((err as TextLineError).message).toMatch(/^mem:\/\/b\/too-long:2: line longer than 100000 characters/);
    expect((err as TextLineError).text).toBe('z'.repeat(200));
  });

  it('with onLongLine the long line is skipped and counted, the next lines still read', async () => {
    await put('skip-long', `a\n${'q'.repeat(70_000)}\nb\n${'r'.repeat(10)}\n`);
    const long: number[] = [];
    const lines = await collect(readLines('mem://b/skip-long', { storage, maxLineLength: 9, onLongLine: (e) => long.push(e.line) }));
    expect(lines).toEqual(['a', 'b']);
    expect(long).toEqual([2, 4]);
  });

  it('writes atomically and reads back', async () => {
    const lines = Array.from({ length: 20000 }, (_, i) => `line ${i}`);
    await writeLines('mem://b/w.txt', lines, { storage });
    expect(await collect(readLines('mem://b/w.txt', { storage }))).toEqual(lines);
  });
});

describe('JSON lines', () => {
  const storage = new MemoryStorage();

  it('round-trips values, skipping blank lines', async () => {
    const values = [{ a: 1 }, [1, 2], 'str', null, { nested: { x: true } }];
    await writeJsonLines('mem://b/v.jsonl', values, { storage });
    expect(await collect(readJsonLines('mem://b/v.jsonl', { storage }))).toEqual(values);
  });

  it('fails on a bad line naming file and line, or routes it to a dead-letter callback', async () => {
    await storage.write('mem://b/bad.jsonl', new TextEncoder().encode('{"a":1}\n\n{"a":\n{"a":3}'));
    await expect(collect(readJsonLines('mem://b/bad.jsonl', { storage }))).rejects.toThrow(/^mem:\/\/b\/bad\.jsonl:3: not valid JSON \(.+\)$/);
    const dead: TextLineError[] = [];
    const good = await collect(readJsonLines('mem://b/bad.jsonl', { storage, onBadLine: (e) => dead.push(e) }));
    expect(good).toEqual([{ a: 1 }, { a: 3 }]);
    expect(dead.map((e) => [e.line, e.text])).toEqual([[3, '{"a":']]);
  });

  it('routes a line over maxLineLength to the same dead-letter, keeping line numbers', async () => {
    await storage.write('mem://b/long.jsonl', new TextEncoder().encode(`{"a":1}\n{"s":"${'x'.repeat(5000)}"}\n{"a":3}\n{"a":\n`));
    const dead: TextLineError[] = [];
    const good = await collect(readJsonLines('mem://b/long.jsonl', { storage, maxLineLength: 1000, onBadLine: (e) => dead.push(e) }));
    expect(good).toEqual([{ a: 1 }, { a: 3 }]);
    expect(dead.map((e) => [e.line, e.problem])).toEqual([[2, 'line-too-long'], [4, 'bad-json']]);
  });
});
