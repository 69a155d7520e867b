// Preloaded into a measured process (`node --import`): at exit, its peak resident memory and the
// CPU time it used (user + system, all its threads) on stderr.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  writeSync(2, `\n@@peakRssKb=${u.maxRSS} cpuMicros=${u.userCPUTime + u.systemCPUTime}\n`);
});
