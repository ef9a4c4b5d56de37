import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Checkpoint } from '../common/checkpoint.js';
import type { ListResource } from './api-client.js';

export const K8S_CHECKPOINT_FORMAT = 'podtrail.k8s-collection/v1';

export type StepState = 'pending' | 'running' | 'done' | 'forbidden' | 'failed';

/** A complete List of one resource (opening, closing, or a relist after an expired watch). */
export interface SnapshotStep {
  kind: 'snapshot';
  resource: ListResource;
  phase: 'opening' | 'closing' | 'relist';
  state: StepState;
  /** Local clock when the first page came: the snapshot instant in the page file names. */
  snapshot_at: string | null;
  server_date: string | null;
  clock_difference_ms: number | null;
  resource_version: string | null;
  /** Where the next page starts; null before the first page and after the last. */
  continue: string | null;
  /** Page files of the current attempt (relative to the collection folder). */
  pages: string[];
  items: number;
  restarts: number;
}

export interface WatchStep {
  kind: 'watch';
  state: StepState;
  /** How long to watch, from when the watch starts. */
  seconds: number;
  /** When the watch ends (local clock), set when it first starts. */
  until: string | null;
}

export interface CollectedFile {
  /** Relative to the collection folder. */
  file: string;
  /** Complete and landable (a page of a complete List, a closed watch segment, a run's log). */
  ready: boolean;
  ingested: boolean;
}

export interface K8sCollectionState {
  format: string;
  collection_id: string;
  server: string;
  context: string;
  created_at: string;
  runs: number;
  steps: (SnapshotStep | WatchStep)[];
  /** Last resourceVersion seen on the pod watch (events and bookmarks), or of the pods List it starts from. */
  watch_rv: string | null;
  /** Receive time of the last watch event. */
  watch_last_at: string | null;
  /** The open watch segment of the last run (closed on resume). */
  open_segment: string | null;
  files: CollectedFile[];
}

export const RESOURCES: readonly ListResource[] = ['pods', 'nodes', 'serviceaccounts'];

export function snapshotStep(resource: ListResource, phase: SnapshotStep['phase']): SnapshotStep {
  return { kind: 'snapshot', resource, phase, state: 'pending', snapshot_at: null, server_date: null, clock_difference_ms: null, resource_version: null, continue: null, pages: [], items: 0, restarts: 0 };
}

/** Collection folders live in CASE/collect/; a folder name is the collection id. */
export function collectRoot(caseRoot: string): string {
  return path.join(caseRoot, 'collect');
}

/** A compact UTC stamp for ids and file names: 2026-10-20T09-50-00.123Z (read back by ingest). */
export function fileStamp(iso: string): string {
  return iso.replaceAll(':', '-');
}

/** The unfinished collection from the same server and context, to continue, or null. */
export function findUnfinished(caseRoot: string, server: string, context: string): Checkpoint<K8sCollectionState> | null {
  const root = collectRoot(caseRoot);
  if (!existsSync(root)) return null;
  for (const name of readdirSync(root).sort().reverse()) {
    if (!name.startsWith('k8s-')) continue;
    const cp = Checkpoint.load<K8sCollectionState>(path.join(root, name, 'checkpoint.json'), K8S_CHECKPOINT_FORMAT);
    if (!cp || cp.state.server !== server || cp.state.context !== context) continue;
    if (!isFinished(cp.state)) return cp;
  }
  return null;
}

/**
 * Every step done and every file landed. A step that was refused (403) or failed stays open: the
 * next run tries it again (after the role is granted, or the server recovers).
 */
export function isFinished(s: K8sCollectionState): boolean {
  return s.steps.every((st) => st.state === 'done') && s.files.every((f) => f.ingested) && s.open_segment === null;
}

export function newCollection(caseRoot: string, o: { server: string; context: string; now: string; watchSeconds: number | null }): Checkpoint<K8sCollectionState> {
  const id = `k8s-${fileStamp(o.now)}`;
  const dir = path.join(collectRoot(caseRoot), id);
  mkdirSync(dir, { recursive: true });
  const steps: (SnapshotStep | WatchStep)[] = RESOURCES.map((r) => snapshotStep(r, 'opening'));
  if (o.watchSeconds !== null) {
    steps.push({ kind: 'watch', state: 'pending', seconds: o.watchSeconds, until: null });
    for (const r of RESOURCES) steps.push(snapshotStep(r, 'closing'));
  }
  const cp = new Checkpoint<K8sCollectionState>(path.join(dir, 'checkpoint.json'), {
    format: K8S_CHECKPOINT_FORMAT,
    collection_id: id,
    server: o.server,
    context: o.context,
    created_at: o.now,
    runs: 0,
    steps,
    watch_rv: null,
    watch_last_at: null,
    open_segment: null,
    files: [],
  });
  cp.save();
  return cp;
}
