import type { Checkpoint } from '../common/checkpoint.js';
import type { CollectionRun } from '../common/collection-run.js';
import type { Progress } from '../common/progress.js';
import type { RetryPolicy } from '../common/retry.js';
import { RequestFailure, type FailureKind } from '../common/collect-error.js';
import type { AwsClients } from './aws-clients.js';
import type { AwsCollectionState } from './collection-state.js';
import type { Pacer } from './pacer.js';

/** Running totals for progress. */
export interface AwsStats {
  requests: number;
  events: number;
  bytes: number;
  objects: number;
  startedMs: number;
}

/** What every step of an AWS collection works with. */
export interface AwsContext {
  run: CollectionRun;
  cp: Checkpoint<AwsCollectionState>;
  /** The collection folder (absolute). */
  dir: string;
  clients: AwsClients;
  retry: RetryPolicy;
  /** LookupEvents: 2 requests per second per account and region. */
  lookupPacer: Pacer;
  signal: AbortSignal;
  progress: Progress;
  /** LookupEvents MaxResults (50, the API's maximum). */
  lookupPageSize: number;
  /** ListObjectsV2 MaxKeys. */
  listPageSize: number;
  /** MaxResults of the EC2 Describe calls (5..1000) and of the EKS lists (at most 100). */
  inventoryPageSize: number;
  /** FilterLogEvents limit (at most 10000). */
  auditPageSize: number;
  /** GetObject requests in flight. */
  concurrency: number;
  /** Per attempt: no complete response in this time is a timeout (podtrail's, not the SDK's). */
  timeoutMs: number;
  stats: AwsStats;
}

/** Failures no other request would escape: stop, record, land what is there. */
const FATAL: ReadonlySet<FailureKind> = new Set(['unreachable', 'tls', 'unauthorized']);

export function isFatal(e: unknown): boolean {
  return e instanceof RequestFailure && FATAL.has(e.kind);
}
