#!/usr/bin/env node
// The SDK harness as a command of its own, for runners that start workers with Beam's boot flags
// and nothing else (Prism runs `<command> --id='<id>' --provision_endpoint=<host:port>` for
// beam:env:process:v1): the same as `tributary harness <flags>`.
import { loadCli } from './launch.mjs';

const { main, exitAfterOutput } = await loadCli();
await exitAfterOutput(await main(['harness', ...process.argv.slice(2)]));
