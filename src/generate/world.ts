import type { Account, Cluster, Node } from './model.js';
import type { Ns } from './ns-time.js';
import type { Rng } from './prng.js';
import type { Scheduler } from './scheduler.js';
import type { TruthBuilder } from './truth.js';
import type { RuntimeOut } from './emit/runtime-out.js';
import type { KubeAuditOut } from './emit/kube-audit.js';
import type { CloudTrailOut } from './emit/cloudtrail.js';
import type { LookupOut } from './emit/lookup-events.js';
import type { EvidenceLedger } from './ledger.js';

/** What a scenario declares: its cluster, its incidents (plays), its gaps and damaged records. */

export interface GapPlan {
  /** The audit backend dropped everything in this interval. */
  auditSilence: { from: Ns; to: Ns } | null;
  /** Audit events before this instant were rotated away (oldest retained event is after it). */
  auditRetainedFrom: Ns | null;
  /** No trail files were delivered for this region and hour. */
  cloudtrailMissing: { region: string; from: Ns; to: Ns } | null;
  /** The trail logs management events only: S3 object calls leave no record. */
  noDataEvents: boolean;
}

export interface MalformedPlan {
  tetragon: { node: Node; lines: number[] } | null;
  /** Hour index (0 = first hour of the span) of the audit file to damage, and line numbers. */
  audit: { hour: number; lines: number[] } | null;
  tail: { source: 'falco' | 'tetragon'; node: Node } | null;
}

export interface Play {
  name: string;
  /** Schedules the incident's steps and registers its IncidentTruth. */
  schedule(w: World): void;
}

export interface ScenarioSpec {
  name: string;
  span: { from: Ns; to: Ns };
  window: { from: Ns; to: Ns; reason: string };
  marginS: number;
  toleranceS: number;
  namespaces: string[];
  cluster: Cluster;
  plays: Play[];
  gaps: GapPlan;
  malformed: MalformedPlan;
  /** Interval the analyst queried with lookup-events (cluster region, management events). */
  lookup: { from: Ns; to: Ns };
  snapshots: Ns[];
  /** undeclared: case.yaml names only the VPC endpoints, not the public ranges a NAT reaches. */
  publicEndpoints: 'declared' | 'undeclared';
  /** The analyst acquired AWS's ip-ranges.json (inputs/aws/ip-ranges.json). */
  ipRanges: boolean;
}

export interface World {
  seed: number;
  scale: number;
  spec: ScenarioSpec;
  cluster: Cluster;
  account: Account;
  /** The events stream: ids, jitter, everything not tied to one pod's background. */
  rng: Rng;
  runtime: RuntimeOut;
  audit: KubeAuditOut;
  cloud: CloudTrailOut;
  lookup: LookupOut;
  truth: TruthBuilder;
  sched: Scheduler<World>;
  /** Multiplier on runtime-only background rates, set so scale 1 gives about 50k runtime events. */
  runtimeFactor: number;
  /** What was written as evidence, for truth.json's decidability (never read by the emitters). */
  ledger: EvidenceLedger;
}
