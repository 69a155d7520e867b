#!/usr/bin/env node
// The `tributary` command. Registers tsx so that the CLI and TypeScript pipeline files run with
// no compile step, then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const { exitAfterOutput } = await import('../cli/exit.ts');
await exitAfterOutput(await main(process.argv.slice(2)));
