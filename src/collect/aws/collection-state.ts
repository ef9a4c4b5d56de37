import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Checkpoint } from '../common/checkpoint.js';
import type { ClusterState } from './inventory-state.js';

/** v2: the objects and files are in the checkpoint's journal (v1, read too, held them inline). */
export const AWS_CHECKPOINT_FORMAT = 'podtrail.aws-collection/v2';

/** How an AWS collection's checkpoint is kept: its per-file arrays journaled (they grow with the trail). */
export const AWS_CHECKPOINT_OPTIONS = { journaled: ['objects', 'files'], reads: ['podtrail.aws-collection/v1'] } as const;

export type StepState = 'pending' | 'running' | 'done' | 'forbidden' | 'failed';

/** One paged LookupEvents scan: a region and one event source (or all management events). */
export interface LookupScan {
  region: string;
  event_source: string | null;
  state: StepState;
  /** Where the next page starts (NextToken); null before the first page and after the last. */
  next_token: string | null;
  pages: string[];
  events: number;
  /** The oldest event time seen so far (events come newest first): how far the scan has come. */
  oldest_event_at: string | null;
}

/** One ListObjectsV2 scan of a day's folder of log or digest files. */
export interface Listing {
  account: string;
  region: string;
  kind: 'log' | 'digest';
  prefix: string;
  start_after: string | null;
  /** Keys delivered after this stamp end the listing (they sort after it). */
  stop_after: string;
  token: string | null;
  state: StepState;
  keys: number;
}

export interface ObjectTask {
  bucket: string;
  key: string;
  kind: 'log' | 'digest';
  /** listed | referenced by a digest | previous digest of the oldest one */
  why: string;
  state: 'pending' | 'fetched' | 'missing' | 'forbidden' | 'failed';
  /** Relative to the collection folder, once fetched. */
  file: string | null;
  sha256: string | null;
  /** Written to a digest-metadata file (landed). */
  recorded: boolean;
  meta: Record<string, unknown> | null;
  message: string | null;
}

export interface KeysTask {
  region: string;
  state: StepState;
  from: string;
  to: string;
  token: string | null;
  files: string[];
}

export interface TrailState {
  bucket: string;
  prefix: string | null;
  /** Region the bucket lives in (x-amz-bucket-region). */
  bucket_region: string | null;
  state: StepState;
  /** Per account: AWSLogs/<account>/ or AWSLogs/<org-id>/<account>/ (with the trail prefix). */
  bases: Record<string, string>;
  regions_present: Record<string, string[]>;
  listings: Listing[];
  followed: boolean;
}

export interface CollectedFile {
  file: string;
  ready: boolean;
  ingested: boolean;
}

export interface AwsCollectionState {
  format: string;
  collection_id: string;
  created_at: string;
  runs: number;
  profile: string | null;
  regions: string[];
  event_sources: string[];
  accounts: string[];
  /** LookupEvents range: the window widened by its margin. */
  lookup_from: string;
  lookup_to: string;
  /** Delivery range of the log files (window - margin .. window + margin + allowance) and of the digests (one hour more). */
  logs_from: string;
  logs_to: string;
  digests_to: string;
  identity: { arn: string; account: string; user_id: string } | null;
  lookups: LookupScan[];
  trail: TrailState | null;
  objects: ObjectTask[];
  keys: KeysTask[];
  files: CollectedFile[];
  /** --cluster: the network and identity inventory and the EKS audit log (absent: not asked). */
  cluster?: ClusterState | null;
}

export function collectRoot(caseRoot: string): string {
  return path.join(caseRoot, 'collect');
}

export function fileStamp(iso: string): string {
  return iso.replaceAll(':', '-');
}

/** The same request of the collection (regions, sources, trail, profile), or any when unnamed. */
export function sameAsk(s: AwsCollectionState, o: { profile: string | null; regions: string[]; eventSources: string[]; trail: { bucket: string; prefix: string | null } | null; cluster?: string | null }): boolean {
  return (
    s.profile === o.profile &&
    (s.cluster?.name ?? null) === (o.cluster ?? null) &&
    JSON.stringify(s.regions) === JSON.stringify(o.regions) &&
    JSON.stringify(s.event_sources) === JSON.stringify(o.eventSources) &&
    JSON.stringify(s.trail ? { bucket: s.trail.bucket, prefix: s.trail.prefix } : null) === JSON.stringify(o.trail)
  );
}

export function isFinished(s: AwsCollectionState): boolean {
  return (
    s.lookups.every((l) => l.state === 'done') &&
    (s.trail === null || (s.trail.state === 'done' && s.objects.every((o) => o.state !== 'pending' && o.recorded) && s.keys.every((k) => k.state === 'done'))) &&
    (!s.cluster || s.cluster.state === 'done') &&
    s.files.every((f) => f.ingested)
  );
}

/** The unfinished AWS collection asking the same thing, to continue, or null. */
export function findUnfinished(caseRoot: string, ask: Parameters<typeof sameAsk>[1]): Checkpoint<AwsCollectionState> | null {
  const root = collectRoot(caseRoot);
  if (!existsSync(root)) return null;
  for (const name of readdirSync(root).sort().reverse()) {
    if (!name.startsWith('aws-')) continue;
    const cp = Checkpoint.load<AwsCollectionState>(path.join(root, name, 'checkpoint.json'), AWS_CHECKPOINT_FORMAT, AWS_CHECKPOINT_OPTIONS);
    if (cp && sameAsk(cp.state, ask) && !isFinished(cp.state)) return cp;
  }
  return null;
}

export function newCollection(caseRoot: string, s: Omit<AwsCollectionState, 'format' | 'collection_id' | 'runs' | 'identity' | 'objects' | 'keys' | 'files'>): Checkpoint<AwsCollectionState> {
  const id = `aws-${fileStamp(s.created_at)}`;
  const dir = path.join(collectRoot(caseRoot), id);
  mkdirSync(dir, { recursive: true });
  const cp = new Checkpoint<AwsCollectionState>(
    path.join(dir, 'checkpoint.json'),
    { format: AWS_CHECKPOINT_FORMAT, collection_id: id, runs: 0, identity: null, objects: [], keys: [], files: [], ...s },
    AWS_CHECKPOINT_OPTIONS,
  );
  cp.save();
  return cp;
}
