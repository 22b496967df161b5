#!/usr/bin/env node
// The `weft` command: installs the TypeScript module hooks, then hands over to the CLI.
import './ts-hooks.mjs';

const { main } = await import('../engine/cli/main.ts');
process.exitCode = await main(process.argv);
