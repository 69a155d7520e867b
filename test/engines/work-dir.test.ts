import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { engineWorkDir } from '../../engines/work-dir.js';

const made: string[] = [];
afterEach(() => {
  delete process.env.TRIBUTARY_KEEP_ENGINE_DIRS;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

function fill(dir: { path: string; tmp: string }): void {
  mkdirSync(join(dir.tmp, 'tm_1', 'blobStorage'), { recursive: true });
  writeFileSync(join(dir.tmp, 'tm_1', 'blobStorage', 'job.jar'), 'x');
  writeFileSync(join(dir.path, 'engine.log'), 'log');
}

describe('engineWorkDir', () => {
  it('removes a folder it made itself, with everything in it', () => {
    const dir = engineWorkDir(undefined, 'tributary-work-dir-test-');
    made.push(dir.path);
    expect(dir.path.startsWith(tmpdir())).toBe(true);
    fill(dir);
    dir.remove();
    expect(existsSync(dir.path)).toBe(false);
  });

  it("keeps a caller's folder and its logs, removing only the temporary part", () => {
    const parent = mkdtempSync(join(tmpdir(), 'tributary-work-dir-test-'));
    made.push(parent);
    const given = join(parent, 'cluster');
    const dir = engineWorkDir(given, 'unused-');
    fill(dir);
    dir.remove();
    expect(existsSync(join(given, 'engine.log'))).toBe(true);
    expect(existsSync(dir.tmp)).toBe(false);
  });

  it('keeps everything when TRIBUTARY_KEEP_ENGINE_DIRS=1', () => {
    process.env.TRIBUTARY_KEEP_ENGINE_DIRS = '1';
    const dir = engineWorkDir(undefined, 'tributary-work-dir-test-');
    made.push(dir.path);
    fill(dir);
    dir.remove();
    expect(existsSync(join(dir.tmp, 'tm_1', 'blobStorage', 'job.jar'))).toBe(true);
  });
});
