/**
 * PyPI packages used for the files they carry (Flink's distribution jars ship in
 * `apache-flink-libraries`), fetched with `pip download` (no install) and unpacked into
 * `.engines/pypi/<package>-<version>/`. Like the Maven cache, a fetch fills a private folder
 * and renames it into place, so parallel callers never see half a package.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { enginesDir } from './cache.js';
import { runCommand } from './command.js';
import { PypiFetchError } from './errors.js';

function pip(): string {
  return process.env.TRIBUTARY_PIP ?? 'pip3';
}

/**
 * The folder a pinned package's source archive unpacked to. Retries (a fresh machine's first
 * download can time out) and throws PypiFetchError with pip's last lines.
 */
export async function pypiSourcePackage(pkg: string, version: string, attempts = 3): Promise<string> {
  const dir = join(enginesDir('pypi'), `${pkg}-${version}`);
  const unpacked = (): string | undefined => {
    if (!existsSync(dir)) return undefined;
    const inner = readdirSync(dir).find((f) => !f.startsWith('.'));
    return inner === undefined ? undefined : join(dir, inner);
  };
  const done = unpacked();
  if (done) return done;
  let lastOutput = '';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const work = `${dir}.partial-${process.pid}-${attempt}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    const download = await runCommand(pip(), ['download', '--no-deps', '-d', join(work, '.download'), `${pkg}==${version}`], {
      timeoutMs: 20 * 60_000,
    });
    const archive = download.code === 0 ? readdirSync(join(work, '.download')).find((f) => f.endsWith('.tar.gz')) : undefined;
    const unpack = archive ? await runCommand('tar', ['xzf', join(work, '.download', archive), '-C', work]) : undefined;
    if (unpack?.code === 0) {
      rmSync(join(work, '.download'), { recursive: true, force: true });
      try {
        renameSync(work, dir);
      } catch {
        rmSync(work, { recursive: true, force: true }); // another caller finished first
      }
      const ready = unpacked();
      if (ready) return ready;
    }
    lastOutput = (unpack?.output ?? download.output).split('\n').slice(-20).join('\n');
    if (archive === undefined && download.code === 0) lastOutput = `pip downloaded no source archive (.tar.gz)\n${lastOutput}`;
    rmSync(work, { recursive: true, force: true });
    if (attempt < attempts) await new Promise((r) => setTimeout(r, 3000 * attempt));
  }
  throw new PypiFetchError(`${pkg}==${version}`, attempts, lastOutput);
}
