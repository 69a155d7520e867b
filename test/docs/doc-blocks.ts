/**
 * The code blocks of the docs a newcomer reads (`README.md`, `docs/*.md`): shell commands and
 * TypeScript snippets, with where they are, for the tests that run them (`commands.test.ts`,
 * `snippets.test.ts`).
 */
import { mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

export interface Block {
  readonly doc: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  readonly body: string;
}

export function blocks(doc: string): Block[] {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const out: Block[] = [];
  const re = /^```(\w*)\n([\s\S]*?)^```/gm;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ doc, line: text.slice(0, m.index).split('\n').length, lang: m[1]!, body: m[2]! });
  }
  return out;
}

/** Every command the docs show: lines of shell blocks, and inline `npx …`, `npm …`, `node …` code. */
export function commands(doc: string): Array<{ doc: string; command: string }> {
  const text = readFileSync(join(ROOT, doc), 'utf8');
  const out: Array<{ doc: string; command: string }> = [];
  for (const b of blocks(doc)) {
    if (!['sh', 'bash', 'shell'].includes(b.lang)) continue;
    // A line ending in `\` continues on the next.
    for (const line of b.body.replace(/\\\n\s*/g, ' ').split('\n')) {
      const command = line.replace(/\s+#.*$/, '').trim();
      if (command && !command.startsWith('#')) out.push({ doc, command });
    }
  }
  const withoutBlocks = text.replace(/^```[\s\S]*?^```/gm, '');
  for (const m of withoutBlocks.matchAll(/`((?:npx|npm|node) [^`]+)`/g)) out.push({ doc, command: m[1]! });
  return out;
}

/**
 * A directory that looks like a fresh clone (every top-level entry of the repository linked in,
 * nothing of what runs left behind: no `.demo-warehouse`, no checkpoints), so commands that
 * write relative paths write there.
 */
export function cloneLikeDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const entry of readdirSync(ROOT)) {
    if (entry.startsWith('.') || entry === 'out' || entry === 'tmp') continue;
    symlinkSync(join(ROOT, entry), join(dir, entry));
  }
  return dir;
}
