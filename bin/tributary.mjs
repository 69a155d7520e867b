#!/usr/bin/env node
// The `tributary` command: cli/main.ts, compiled or from its sources (bin/launch.mjs).
import { loadCli } from './launch.mjs';

const { main, exitAfterOutput } = await loadCli();
await exitAfterOutput(await main(process.argv.slice(2)));
