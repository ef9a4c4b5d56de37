const passes = new Map<string, number>();

/**
 * Test hook: PODTRAIL_FAULT=<point> makes the process fail at that point of a write (an error, so
 * `finally` blocks run), PODTRAIL_FAULT=<point>:kill kills it there with SIGKILL (kill -9: nothing
 * runs after it), so tests can prove that an interruption anywhere leaves the case as it was or
 * rolls forward; a suffix @N (`<point>:kill@2`) waits for the Nth pass of a point passed more than
 * once (a collection's batches). The points are listed in FAULT_POINTS (ingest, run) and
 * COLLECT_FAULT_POINTS.
 */
export function faultPoint(point: FaultPoint): void {
  const want = process.env['PODTRAIL_FAULT'];
  if (want === undefined || !want.startsWith(point)) return;
  const m = /^([a-z-]+)(:kill)?(?:@(\d+))?$/.exec(want);
  if (!m || m[1] !== point) return;
  const n = (passes.get(point) ?? 0) + 1;
  passes.set(point, n);
  if (n < Number(m[3] ?? 1)) return;
  if (m[2]) process.kill(process.pid, 'SIGKILL');
  throw new Error(`injected fault at ${point}`);
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
/** Where a collection's trail-file batch can be interrupted on purpose (in the order a batch passes them). */
export const COLLECT_FAULT_POINTS = [
  /** The batch's files are fsynced and at their final names; their records and custody entries are not written. */
  'trail-files-durable',
  /** The batch's custody entries are appended; the checkpoint that goes with them is not written. */
  'trail-custody-appended',
] as const;
export type FaultPoint = (typeof FAULT_POINTS)[number] | (typeof COLLECT_FAULT_POINTS)[number];
