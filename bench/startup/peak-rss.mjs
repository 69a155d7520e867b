// Preloaded into a measured process (`node --import`): at exit, its peak resident memory on stderr.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `\n@@peakRssKb=${process.resourceUsage().maxRSS}\n`));
