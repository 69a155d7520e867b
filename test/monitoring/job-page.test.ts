/**
 * The job page in a real browser (headless Chromium): opened during a Kappa+ replay held in its
 * last partition, it shows the pipeline's stages, Kappa+ progress that moves to done, a sample of
 * a PCollection taken from the page, and the final state; a screenshot is saved in `out/`.
 */
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { startMonitoring } from '../../runners/monitoring/server.js';
import { Map as MapT } from '../../sdk/index.js';
import { chromiumPath } from '../servers/chromium/chromium.js';
import { outputOf, runWatched } from './gated-job.js';
import { gatedReplay } from './gated-replay.js';

let browser: Browser;
beforeAll(async () => {
  browser = await chromium.launch({ executablePath: await chromiumPath(), args: ['--no-sandbox'] });
}, 15 * 60_000);
afterAll(async () => {
  await browser?.close();
});


describe('the job page', () => {
  it('draws the graph, follows progress live, samples a PCollection and shows the final state', async () => {
    const { p, gate, gatedRows } = await gatedReplay();
    gatedRows.apply('Values', MapT.of((r: Record<string, unknown>) => Number(r['value'])));
    const { result, job } = runWatched(p);
    const server = await startMonitoring(job, { port: 0, refreshMs: 100 });
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    try {
      await page.goto(`${server.url}/`);
      await gate.reached;
      // The graph: one box per stage of the pipeline.
      await page.waitForSelector('svg .stage');
      const stages = await page.$$eval('svg .stage .name', (els) => els.map((e) => e.textContent));
      expect(stages).toEqual(expect.arrayContaining(['Replay', 'Gate', 'Values']));
      expect(await page.$$eval('svg .edge', (els) => els.length)).toBeGreaterThanOrEqual(2);
      // Held in the last partition: progress short of done, state RUNNING.
      await page.waitForSelector('#kappa .kappa[data-total="3"]');
      const before = Number(await page.getAttribute('#kappa .kappa', 'data-done'));
      expect(before).toBeLessThan(3);
      expect(await page.textContent('#state')).toBe('RUNNING');
      // Sample Gate's output from the page, then let the job finish.
      await page.selectOption('#pc', outputOf(job, 'Gate'));
      await page.click('#sample');
      await page.waitForSelector('#samples tr');
      gate.release();
      await result.waitUntilFinish();
      await page.waitForSelector('#state.DONE');
      await page.waitForSelector('#kappa .kappa[data-done="3"]');
      await page.waitForSelector('#samples tr.sample');
      const sampled = await page.$$eval('#samples tr.sample td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
      // Only rows that passed Gate after sampling began: the held 02:00 row among them.
      expect(sampled).toContain('2024-01-01T02:00:00.000Z');
      expect(sampled.every((ts) => ts! >= '2024-01-01T02:00:00.000Z')).toBe(true);
      mkdirSync('out', { recursive: true });
      await page.screenshot({ path: 'out/job-page.png', fullPage: true });
    } finally {
      await page.close();
      await server.close();
    }
  });
});
