/**
 * Test hook: PODTRAIL_FAULT=<point> makes the process fail at that point of a write (an error, so
 * `finally` blocks run), PODTRAIL_FAULT=<point>:kill kills it there with SIGKILL (kill -9: nothing
 * runs after it), so tests can prove that an interruption anywhere leaves the case as it was or
 * rolls forward. The points are listed in FAULT_POINTS.
 */
export function faultPoint(point: FaultPoint): void {
  const want = process.env['PODTRAIL_FAULT'];
  if (want === point) throw new Error(`injected fault at ${point}`);
  if (want === `${point}:kill`) process.kill(process.pid, 'SIGKILL');
}

/** Where a writing command can be interrupted on purpose (in the order an ingest passes them). */
export const FAULT_POINTS = [
  'mid-acquire',
  'after-acquire',
  'after-land',
  'after-partitions',
  'after-custody-next',
  'after-catalog',
  'after-custody',
  'after-correlate',
  'after-check',
  'before-export-entry',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number];
