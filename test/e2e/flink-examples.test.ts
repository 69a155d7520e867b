/**
 * Every example through the CLI on --runner=direct and on --runner=flink (Beam's Flink job server
 * with an embedded Flink, one per file): the same printed lines, compared as in
 * portable-examples.test.ts (the table is shared: example-cases.ts). Parallelism 1: at 2, dedup's
 * own rule (an open older than the hours it keeps counts as new) meets Flink's merge of two
 * upstream subtasks in any order, and a handful of opens differ (docs/runners.md). Examples that
 * cannot be compared on Flink are listed with the reason (also in docs/runners.md).
 */
import { describe } from 'vitest';
import { useFlinkJobServer } from '../servers/flink-job-server.js';
import { sameOutputAsDirect } from './example-cases.js';

const flink = useFlinkJobServer();

/** Why an example of the shared table is not compared on Flink. */
const NOT_ON_FLINK: Record<string, string> = {
  'kappa-demo':
    "the last trip's EARLY pane at the replay's last partition is missing (ON_TIME only): Beam's Flink runner floors a residual's watermark to whole seconds and the last step meets the end of input in one bundle",
};

describe('every example: the flink runner prints what the direct runner prints', () => {
  sameOutputAsDirect('flink', () => [`--jobEndpoint=${flink.endpoint}`, '--parallelism=1'], NOT_ON_FLINK);
});
