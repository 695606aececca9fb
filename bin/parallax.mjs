#!/usr/bin/env node
// The `parallax` command: the CLI compiled to dist/ by `npm run build`, which `npm install` and
// `npm ci` run (the `prepare` script). `npm run parallax:dev -- <command>` runs src/ through tsx.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (existsSync(main)) await import(main.href);
else {
  console.error('parallax: the CLI is not built; run `npm run build` (npm install runs it too)');
  process.exitCode = 1;
}
