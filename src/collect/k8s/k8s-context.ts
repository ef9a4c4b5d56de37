import type { Checkpoint } from '../common/checkpoint.js';
import type { CollectionRun } from '../common/collection-run.js';
import type { Progress } from '../common/progress.js';
import type { RetryPolicy } from '../common/retry.js';
import { RequestFailure, type FailureKind } from '../common/collect-error.js';
import type { K8sApi } from './api-client.js';
import type { K8sCollectionState } from './collection-state.js';
import type { KubeTarget } from './kube-target.js';

/** What every step of a Kubernetes collection works with. */
export interface K8sContext {
  target: KubeTarget;
  api: K8sApi;
  run: CollectionRun;
  cp: Checkpoint<K8sCollectionState>;
  /** The collection folder (absolute). */
  dir: string;
  retry: RetryPolicy;
  pageSize: number;
  /** Per request: until the response (or, for a watch, its headers) has come. */
  timeoutMs: number;
  /** A watch with no byte (not even a bookmark) for this long is taken as stalled and resumed. */
  idleMs: number;
  /** Longest single watch request (timeoutSeconds); the server ends it, podtrail resumes. */
  maxWatchSeconds: number;
  signal: AbortSignal;
  progress: Progress;
}

/** Failures that no other request of the collection would escape: stop, record, land what is there. */
const FATAL: ReadonlySet<FailureKind> = new Set(['unreachable', 'tls', 'unauthorized']);

export function isFatal(e: unknown): boolean {
  return e instanceof RequestFailure && FATAL.has(e.kind);
}

/** How a 403 reads: the verb and resource refused, and where the role that grants them is. */
export function forbiddenMessage(verb: string, resource: string, e: RequestFailure): string {
  return `forbidden: ${verb} ${resource} (all namespaces) is not allowed for this identity (${e.message}); the read-only ClusterRole in deploy/podtrail-collector-clusterrole.yaml grants it`;
}
