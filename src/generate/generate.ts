import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { casePaths } from '../case/case-paths.js';
import { type Ns, isoSeconds, sec } from './ns-time.js';
import { Rng } from './prng.js';
import { Scheduler } from './scheduler.js';
import { TRUTH_SCHEMA, TruthBuilder } from './truth.js';
import type { ScenarioSpec, World } from './world.js';
import { findScenario, SCENARIOS } from './scenarios/index.js';
import { RuntimeOut } from './emit/runtime-out.js';
import { KubeAuditOut } from './emit/kube-audit.js';
import { CloudTrailOut } from './emit/cloudtrail.js';
import { LookupOut } from './emit/lookup-events.js';
import { writeInventory } from './emit/inventory.js';
import { writeCaseYaml } from './emit/case-yaml.js';
import { writeIpRanges } from './emit/ip-ranges.js';
import { scheduleLifecycles } from './lifecycle.js';
import { backgroundMinute, runtimeFactor } from './background.js';
import { EvidenceLedger } from './ledger.js';
import { markDecidable } from './decidable.js';

/**
 * `podtrail generate`: writes DIR/inputs/ (every source in its real format), DIR/case.yaml and
 * DIR/truth.json. Time advances one minute at a time; each output keeps only what is not yet
 * due, so memory stays bounded at any scale. Same scenario, seed and scale: same bytes.
 */

export interface GenerateOptions {
  scenario: string;
  seed: number;
  scale: number;
  outDir: string;
  /** Called as simulated time advances: steps done and the number of steps (progress only). */
  onProgress?: (done: number, total: number) => void;
}

export interface GenerateSummary {
  scenario: string;
  seed: number;
  scale: number;
  outDir: string;
  /** Every file written, relative to outDir, sorted. */
  files: string[];
  counts: Record<string, number>;
}

export const GENERATOR_VERSION = 1;

function checkOptions(o: GenerateOptions): void {
  if (!findScenario(o.scenario)) {
    throw new UsageError(`unknown scenario "${o.scenario}" (known: ${SCENARIOS.map((s) => s.name).join(', ')}; see --list)`);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 2 ** 31) throw new UsageError(`--seed must be a whole number between 0 and 2^31 (got ${o.seed})`);
  if (!Number.isFinite(o.scale) || o.scale <= 0 || o.scale > 1000) throw new UsageError(`--scale must be a positive number up to 1000 (got ${o.scale})`);
  if (existsSync(o.outDir) && readdirSync(o.outDir).length > 0) {
    throw new UsageError(`${o.outDir} exists and is not empty: generate writes a new case folder`);
  }
}

function recordGaps(spec: ScenarioSpec, truth: TruthBuilder): void {
  const { from, to } = spec.span;
  for (const n of spec.cluster.nodes) {
    if (!n.sensor && !n.falco) truth.gap('no-sensor', 'tetragon', from, to, { node: n.name });
    if (n.clockOffsetNs !== 0n) {
      const s = Number(n.clockOffsetNs / 1_000_000n) / 1000;
      truth.gap('clock-offset', 'tetragon', from, to, { node: n.name, offset_seconds: s });
      truth.clockOffsets[n.name] = s;
    }
  }
  const g = spec.gaps;
  if (g.auditSilence) truth.gap('audit-silence', 'kube-audit', g.auditSilence.from, g.auditSilence.to);
  if (g.auditRetainedFrom !== null) truth.gap('retention-before-window', 'kube-audit', spec.window.from, g.auditRetainedFrom);
  if (g.cloudtrailMissing) truth.gap('cloudtrail-hour-missing', 'cloudtrail', g.cloudtrailMissing.from, g.cloudtrailMissing.to, { region: g.cloudtrailMissing.region });
  if (g.noDataEvents) truth.gap('no-data-events', 'cloudtrail', from, to);
}

export function generateScenario(o: GenerateOptions): GenerateSummary {
  checkOptions(o);
  const entry = findScenario(o.scenario);
  if (!entry) throw new UsageError(`unknown scenario "${o.scenario}"`);
  const spec = entry.build(o.seed);
  const root = path.resolve(o.outDir);
  mkdirSync(root, { recursive: true });
  const truth = new TruthBuilder();
  recordGaps(spec, truth);
  const { from, to } = spec.span;
  const w: World = {
    seed: o.seed,
    scale: o.scale,
    spec,
    cluster: spec.cluster,
    account: spec.cluster.account,
    rng: Rng.stream(o.seed, `events:${spec.name}`),
    runtime: new RuntimeOut(root, spec.cluster.nodes, from, spec.malformed, truth),
    audit: new KubeAuditOut(root, from, to, spec.malformed, truth),
    cloud: new CloudTrailOut(root, spec.cluster.account, from, Rng.stream(o.seed, 'cloudtrail-delivery')),
    lookup: new LookupOut(),
    truth,
    sched: new Scheduler<World>(),
    runtimeFactor: 0,
    ledger: new EvidenceLedger(spec.cluster.account),
  };
  scheduleLifecycles(w);
  for (const play of spec.plays) play.schedule(w);
  w.runtimeFactor = runtimeFactor(w);

  // Fifteen seconds at a time: what is pending between two drains stays small at any scale.
  const step = sec(15);
  for (let t: Ns = from; t < to; t += step) {
    o.onProgress?.(Number((t - from) / step), Number((to - from + step - 1n) / step));
    const end = t + step;
    w.sched.runUntil(end, w);
    backgroundMinute(w, t, end);
    w.runtime.drain(end);
    w.audit.drain(end);
    w.cloud.drain(end);
  }

  const files: string[] = [];
  files.push(...w.runtime.close());
  w.audit.close();
  files.push(...w.audit.files);
  w.cloud.close();
  files.push(...w.cloud.files);
  const lookupFile = w.lookup.close(root);
  if (lookupFile) files.push(lookupFile);
  files.push(...writeInventory(root, spec.cluster, spec.snapshots));
  files.push(writeCaseYaml(root, spec, o.seed));
  if (spec.ipRanges) files.push(writeIpRanges(root, spec.cluster.account));
  const paths = casePaths(root);
  mkdirSync(paths.raw, { recursive: true });
  mkdirSync(paths.lake, { recursive: true });

  markDecidable(w);
  const cloud = truth.cloudEvents();
  const counts: Record<string, number> = {
    nodes: spec.cluster.nodes.length,
    pods: spec.cluster.pods.length,
    tetragon_events: w.runtime.tetragonEvents,
    falco_alerts: w.runtime.falcoAlerts,
    runtime_events: w.runtime.tetragonEvents + w.runtime.falcoAlerts,
    audit_lines: w.audit.lines,
    kube_requests_with_pod_token: truth.kubeCount,
    cloud_events: cloud.length,
    cloud_events_in_s3: cloud.filter((c) => c.sources.includes('s3')).length,
    cloud_events_in_lookup: w.lookup.count,
    cloud_events_in_both: cloud.filter((c) => c.sources.length === 2).length,
    cloud_events_not_logged: cloud.filter((c) => !c.logged).length,
    cloudtrail_files: w.cloud.files.length,
    inventory_snapshots: spec.snapshots.length,
    malformed_lines: truth.malformed.length,
  };
  const header = {
    schema: TRUTH_SCHEMA,
    generator_version: GENERATOR_VERSION,
    scenario: spec.name,
    seed: o.seed,
    scale: o.scale,
    window: { from: isoSeconds(spec.window.from), to: isoSeconds(spec.window.to), margin_seconds: spec.marginS },
    span: { from: isoSeconds(from), to: isoSeconds(to) },
    lookup_interval: { from: isoSeconds(spec.lookup.from), to: isoSeconds(spec.lookup.to) },
    account: spec.cluster.account.id,
    region: spec.cluster.account.region,
    cluster: spec.cluster.account.clusterName,
    runtime_factor: Math.round(w.runtimeFactor * 1e6) / 1e6,
  };
  truth.write(root, header, counts);
  files.push('truth.json');
  files.sort();
  return { scenario: spec.name, seed: o.seed, scale: o.scale, outDir: root, files, counts };
}

