// Preloaded with `node --import` into a measured child process: on exit, writes its peak RSS (bytes)
// to the file named by PODTRAIL_BENCH_RSS_FILE. Lets the benchmark measure a real CLI run.
import { writeFileSync } from 'node:fs';
const out = process.env.PODTRAIL_BENCH_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS * 1024)));
