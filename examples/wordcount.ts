/**
 * Word count: the hello world of data pipelines. Reads a text file (or a built-in sample),
 * splits it into words, counts each word, and prints the most frequent ones.
 *
 *   npx tributary run examples/wordcount.ts --runner=direct [--input=FILE] [--top=10] [--minLength=1]
 */
import { Count, DoFn, FlatMap, Filter, Map, Metrics, ParDo, Pipeline, Top, type KV } from '../sdk/index.js';
import { Impulse } from '../sdk/index.js';
import { defineOptions, type OptionsOf } from '../sdk/options/index.js';
import { readLines } from '../io/text/index.js';

export const options = defineOptions({
  input: { type: 'string', describe: 'text file to count (local path, file:// or s3://); a built-in sample when absent' },
  top: { type: 'number', default: 10, describe: 'how many of the most frequent words to print' },
  minLength: { type: 'number', default: 1, describe: 'ignore words shorter than this' },
});

const SAMPLE = [
  'It was the best of times, it was the worst of times,',
  'it was the age of wisdom, it was the age of foolishness,',
  'it was the epoch of belief, it was the epoch of incredulity,',
  'it was the season of Light, it was the season of Darkness,',
  'it was the spring of hope, it was the winter of despair.',
];

/** Emits the lines of the input file, streaming (the file is never held whole). */
class ReadLinesFn extends DoFn<Uint8Array, string> {
  constructor(private readonly path: string | undefined) {
    super();
  }
  async *process(): AsyncGenerator<string> {
    if (!this.path) {
      yield* SAMPLE;
      return;
    }
    yield* readLines(this.path);
  }
}

export default function wordCount(p: Pipeline, opts: OptionsOf<typeof options>): void {
  const words = Metrics.counter('wordcount', 'words');
  p.apply('ReadLines', Impulse.create())
    .apply('Lines', ParDo.of(new ReadLinesFn(opts.input)))
    .apply('Split', FlatMap.of((line: string) => line.toLowerCase().split(/[^a-z']+/u)))
    .apply('Words', Filter.by((w: string) => w.length >= Math.max(1, opts.minLength)))
    .apply('CountWords', Map.of((w: string) => (words.inc(), w)))
    .apply('Count', Count.perElement<string>())
    .apply('Top', Top.largest<KV<string, number>>(opts.top, (a, b) => a.value - b.value || (a.key < b.key ? 1 : -1)))
    .apply(
      'Print',
      Map.of((top: KV<string, number>[]) => {
        for (const { key, value } of top) console.log(`${String(value).padStart(8)}  ${key}`);
      }),
    );
}
