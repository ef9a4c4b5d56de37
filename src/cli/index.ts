#!/usr/bin/env node
import { runCli } from './program.js';

// A reader that stops early (podtrail query ... | head) closes the pipe: stop quietly, as cat does.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});

runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
