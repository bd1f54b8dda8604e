#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so `npx banguins` works without a build step.
require('tsx/cjs');
const { main } = require('../cli/main.ts');
const { printableText } = require('../client/printable-text.ts');

main().catch((error) => {
  process.stderr.write(`banguins: ${printableText(error instanceof Error ? error.message : String(error))}\n`);
  process.exitCode = 1;
});
