import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Checkpoint } from '../common/checkpoint.js';
import { collectRoot } from '../k8s/collection-state.js';
import type { ObjectKind } from './object-api.js';
import type { SensorKind } from './sensor-kind.js';

export const SENSOR_STATE_FORMAT = 'podtrail.sensor-deployment/v1';

/** One object deploy created (or was about to create): what remove deletes, and only that. */
export interface DeployedObject {
  kind: ObjectKind;
  name: string;
  namespace: string | null;
  /** SHA-256 of the rendered manifest (its canonical JSON: the request body sent). */
  manifest_sha256: string;
  /** Set from the create response: delete requires it (preconditions.uid). */
  uid: string | null;
  /** pending: not created; created; deleted: delete accepted; gone: absent from the final list. */
  state: 'pending' | 'created' | 'deleted' | 'gone' | 'failed';
  created_at: string | null;
  deleted_at: string | null;
}

/** Where the reading of one pod's log stands (for reconnects and the next collect run). */
export interface PodLogState {
  namespace: string;
  pod: string;
  container: string;
  node: string;
  /** Kubelet timestamp (RFC 3339, ns) of the last line kept. */
  last_ts: string | null;
  /** SHA-256 (16 hex) of the lines kept whose timestamp is in the second of last_ts: duplicates on reconnect. */
  tail: { ts: string; h: string }[];
  lines: number;
  bytes: number;
  duplicates: number;
  /** Bytes of events read since the last export-file rotation mark (Tetragon). */
  export_bytes: number;
}

export interface CollectedFile {
  file: string;
  ready: boolean;
  ingested: boolean;
}

export interface SensorState {
  format: string;
  deployment_id: string;
  kind: SensorKind;
  case_id: string;
  server: string;
  context: string;
  created_at: string;
  /** deployed: podtrail made it; attached: a sensor that was already there, read from the pods named. */
  mode: 'deployed' | 'attached';
  namespace: string | null;
  manifests_sha256: string | null;
  filter_id: string | null;
  filter_sha256: string | null;
  objects: DeployedObject[];
  runs: number;
  removed_at: string | null;
  pods: PodLogState[];
  files: CollectedFile[];
}

/** Deployments live in CASE/collect/<deployment id>/state.json. */
export function stateFile(caseRoot: string, deploymentId: string): string {
  return path.join(collectRoot(caseRoot), deploymentId, 'state.json');
}

export function newState(caseRoot: string, s: Omit<SensorState, 'format' | 'runs' | 'removed_at' | 'pods' | 'files'>): Checkpoint<SensorState> {
  const file = stateFile(caseRoot, s.deployment_id);
  mkdirSync(path.dirname(file), { recursive: true });
  const cp = new Checkpoint<SensorState>(file, { format: SENSOR_STATE_FORMAT, ...s, runs: 0, removed_at: null, pods: [], files: [] });
  cp.save();
  return cp;
}

/** Every deployment of the case, oldest first. */
export function listDeployments(caseRoot: string): Checkpoint<SensorState>[] {
  const root = collectRoot(caseRoot);
  if (!existsSync(root)) return [];
  const out: Checkpoint<SensorState>[] = [];
  for (const name of readdirSync(root).sort()) {
    if (!name.startsWith('sensor-')) continue;
    const cp = Checkpoint.load<SensorState>(path.join(root, name, 'state.json'), SENSOR_STATE_FORMAT);
    if (cp) out.push(cp);
  }
  return out;
}

/** The latest deployment of `kind` not removed yet (deployed by podtrail, or attached), or null. */
export function currentDeployment(caseRoot: string, kind: SensorKind, mode?: SensorState['mode']): Checkpoint<SensorState> | null {
  const all = listDeployments(caseRoot).filter((c) => c.state.kind === kind && c.state.removed_at === null && (mode === undefined || c.state.mode === mode));
  return all.at(-1) ?? null;
}
