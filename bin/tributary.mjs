#!/usr/bin/env node
// The `tributary` command. Registers tsx so that the CLI and TypeScript pipeline files run with
// no compile step, then hands over to cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
// Pipes and files are written synchronously on Linux, so nothing printed is lost; exiting
// explicitly keeps a stray handle in user code from holding the process open after the job.
process.exit(code);
