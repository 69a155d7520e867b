import { isAlive } from '../../engines/java-process.js';
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDirForFile } from '../temp-dir.js';
import { freePort, JavaProcessError, startJavaProcess, type JavaProcess } from '../../engines/index.js';

// A tiny Java program compiled once for this file: "serve <port>" listens and logs a line,
// "fail" prints to stderr and exits 3.
const SOURCE = `
import java.net.ServerSocket;
public class Toy {
  public static void main(String[] args) throws Exception {
    if (args[0].equals("fail")) { System.err.println("toy: bad configuration, giving up"); System.exit(3); }
    ServerSocket s = new ServerSocket(Integer.parseInt(args[1]), 50, java.net.InetAddress.getLoopbackAddress());
    System.out.println("toy started on " + args[1]);
    System.out.flush();
    while (true) s.accept().close();
  }
}`;

const dir = tempDirForFile('tributary-java-');
beforeAll(() => {
  writeFileSync(join(dir, 'Toy.java'), SOURCE);
  execFileSync('javac', ['-d', dir, join(dir, 'Toy.java')]);
});

const started: JavaProcess[] = [];
afterAll(async () => {
  for (const p of started) await p.stop();
});

describe('startJavaProcess', () => {
  it('waits for the port and the log line, then stops with SIGTERM', async () => {
    const port = await freePort();
    const toy = await startJavaProcess(
      { name: 'toy', classpath: [dir], mainClass: 'Toy', args: ['serve', String(port)], heap: '64m', logFile: join(dir, 'toy.log') },
      { port, logLine: /toy started on \d+/ },
    );
    started.push(toy);
    expect(toy.running()).toBe(true);
    expect(toy.logTail()).toContain(`toy started on ${port}`);
    await toy.stop();
    expect(toy.running()).toBe(false);
    expect(isAlive(toy.pid)).toBe(false);
  });

  it('fails with the log tail when the JVM exits before it is ready', async () => {
    const error = await startJavaProcess(
      { name: 'toy', classpath: [dir], mainClass: 'Toy', args: ['fail'], heap: '64m', logFile: join(dir, 'fail.log') },
      { port: await freePort() },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaProcessError);
    expect(String((error as Error).message)).toMatch(/toy: exited with code 3 before it was ready/);
    expect(String((error as Error).message)).toContain('toy: bad configuration, giving up');
  });

  it('does not outlive a parent that is killed with SIGKILL', async () => {
    const port = await freePort();
    const parentScript = join(dir, 'parent.mts');
    const engines = new URL('../../engines/index.ts', import.meta.url).href;
    writeFileSync(
      parentScript,
      `import { startJavaProcess } from ${JSON.stringify(engines)};
       const p = await startJavaProcess({ name: 'toy', classpath: [${JSON.stringify(dir)}], mainClass: 'Toy',
         args: ['serve', '${port}'], heap: '64m', logFile: ${JSON.stringify(join(dir, 'orphan.log'))} }, { port: ${port} });
       console.log(p.pid);
       setInterval(() => {}, 1000);`,
    );
    const parent = spawn(process.execPath, ['--import', 'tsx', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const jvmPid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
    expect(isAlive(jvmPid)).toBe(true);
    parent.kill('SIGKILL');
    // The watchdog checks once a second; wait on the condition, bounded.
    for (let i = 0; i < 200 && isAlive(jvmPid); i++) await new Promise((r) => setTimeout(r, 50));
    expect(isAlive(jvmPid)).toBe(false);
  });
});
