/**
 * `readLines` on one 16 MiB line without a newline versus the same bytes as 80-character lines
 * (issue #19: the reader used to re-search the whole pending text on every chunk, 7 s for 16 MB).
 * Prints one JSON line; `ratio` is one-line time over short-lines time (linear reading keeps it
 * near 1).
 */
import { MemoryStorage } from '../../io/storage/index.js';
import { readLines } from '../../io/text/index.js';

const MB = 16;
const storage = new MemoryStorage();
const bytes = MB * 1024 * 1024;
await storage.write('mem://b/one-line.txt', new Uint8Array(bytes).fill(0x78));
const short = new Uint8Array(bytes).fill(0x78);
for (let i = 80; i < bytes; i += 81) short[i] = 0x0a;
await storage.write('mem://b/short-lines.txt', short);

async function time(path: string): Promise<{ seconds: number; lines: number; chars: number }> {
  const t0 = performance.now();
  let lines = 0;
  let chars = 0;
  for await (const line of readLines(path, { storage })) {
    lines++;
    chars += line.length;
  }
  return { seconds: (performance.now() - t0) / 1000, lines, chars };
}

const shortLines = await time('mem://b/short-lines.txt');
const oneLine = await time('mem://b/one-line.txt');
if (oneLine.lines !== 1 || oneLine.chars !== bytes) throw new Error(`one-line file read as ${oneLine.lines} lines, ${oneLine.chars} chars`);
console.log(
  JSON.stringify({
    case: 'text-long-line',
    mb: MB,
    oneLineSeconds: +oneLine.seconds.toFixed(3),
    shortLinesSeconds: +shortLines.seconds.toFixed(3),
    shortLines: shortLines.lines,
    ratio: +(oneLine.seconds / shortLines.seconds).toFixed(2),
  }),
);
