// What watches a job from outside, as an operator has it: a Prometheus stand-in scraping
// `/metrics` every second and the job page open (its graph fetched once, its event stream held
// open). Plain JavaScript started with bare `node` before the job starts, as Prometheus and a
// browser already run when a job starts: it prints `ready`, then reads the server's URL on stdin.
// Its own start-up and parsing cost lands in this process, not in the watched job's.
import { get } from 'node:http';
import { createInterface } from 'node:readline';

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const base = await new Promise((resolve) => lines.once('line', resolve));
// The page: its HTML and graph once, then the event stream that refreshes it.
for (const path of ['/', '/api/graph']) get(`${base}${path}`, (res) => res.resume()).on('error', () => undefined);
const events = get(`${base}/api/events`, (res) => res.resume());
events.on('error', () => undefined);
const scrape = () =>
  get(`${base}/metrics`, (res) => {
    res.resume();
    res.on('end', () => process.stdout.write('scraped\n'));
  }).on('error', () => undefined);
scrape();
const timer = setInterval(scrape, 1000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  events.destroy();
  process.exit(0);
});
