import os from 'node:os';
import { correlateCase } from '../correlate/correlate-case.js';
import { checkCase } from '../check/check-case.js';
import { bundleCase, type BundleOptions, type BundleResult } from '../bundle/bundle-case.js';
import { toProgress } from '../core/progress.js';

/** `podtrail run`: correlate, gaps checks, bundle, in that order, on one case. */
export async function runCase(o: BundleOptions): Promise<BundleResult & { timings: Record<string, number> }> {
  const progress = toProgress(o.log);
  const operator = o.operator ?? os.userInfo().username;
  const t0 = performance.now();
  await correlateCase(o.caseDir, progress, o.clock, operator);
  const t1 = performance.now();
  await checkCase(o.caseDir, progress, o.clock, operator);
  const t2 = performance.now();
  const r = await bundleCase({ ...o, operator, log: progress });
  return { ...r, timings: { correlate_ms: t1 - t0, check_ms: t2 - t1, ...r.timings, bundle_ms: performance.now() - t2 } };
}
