#!/usr/bin/env node
/**
 * npm run eval [-- --seed N[,N...] --scale N --scenario NAME[,NAME...] --keep DIR]
 * Runs each generated scenario through podtrail (generate, ingest, correlate, check) and prints
 * one table scored against truth.json. Exits non-zero when the acceptance criteria fail.
 */
import { mkdtempSync, readFileSync, rmSync, existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateScenario } from '../generate/generate.js';
import { SCENARIOS } from '../generate/scenarios/index.js';
import { ingestCase } from '../ingest/ingest-case.js';
import { correlateCase } from '../correlate/correlate-case.js';
import { createClock } from '../core/clock.js';
import { casePaths } from '../case/case-paths.js';
import { openCaseStore } from '../store/case-store.js';
import { scoreCloud, scoreKube, type AttributionRow, type KubeAttributionRow, type TruthCloudEvent, type TruthKubeRequest } from './score.js';
import { scoreGaps, type GapScore } from './gap-score.js';
import { runChecksIfAvailable } from './checks.js';
import { scoreReport, type ReportFindingRow, type ReportScore } from './report-score.js';

/** Every scenario's decidable pod-made calls must be recalled at >= 0.95. */
const RECALL_FLOOR = 0.95;

interface Args {
  seeds: number[];
  scale: number;
  scenarios: string[];
  keep: string | null;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { seeds: [1, 2, 3], scale: 1, scenarios: SCENARIOS.map((s) => s.name), keep: null };
  for (let i = 0; i < argv.length; i++) {
    const v = argv[i + 1];
    if (argv[i] === '--seed' && v) (a.seeds = v.split(',').map(Number)), i++;
    else if (argv[i] === '--scale' && v) (a.scale = Number(v)), i++;
    else if (argv[i] === '--scenario' && v) (a.scenarios = v.split(',')), i++;
    else if (argv[i] === '--keep' && v) (a.keep = v), i++;
  }
  return a;
}

export interface EvalRow {
  scenario: string;
  seed: number;
  cloud: ReturnType<typeof scoreCloud>;
  kube: ReturnType<typeof scoreKube>;
  gaps: GapScore | null;
  report: ReportScore;
  /**
   * Calls made from outside with a key replayed after its pod was gone, those credential_misuse
   * lists, and its rows for calls a pod really made (must be none).
   */
  misuse: { replayed: number; listed: number; podMade: number };
  seconds: number;
  failures: string[];
}

export async function evaluateScenario(scenario: string, seed: number, scale: number, dir: string): Promise<EvalRow> {
  const t0 = performance.now();
  generateScenario({ scenario, seed, scale, outDir: dir });
  await ingestCase({ caseDir: dir, paths: [path.join(dir, 'inputs')], source: null, operator: 'eval', snapshotAt: null, clock: createClock('2026-11-29T00:00:00Z'), log: () => {} });
  await correlateCase(dir);
  const validation = await runChecksIfAvailable(dir);
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as {
    cloud_events: TruthCloudEvent[];
    kube_requests: TruthKubeRequest[];
    gaps: Parameters<typeof scoreGaps>[0];
    clock_offsets: Record<string, number>;
    incidents: { play: string; pod_uid: string }[];
  };
  const store = await openCaseStore(casePaths(dir), { write: false });
  let attributions: AttributionRow[];
  let kube: KubeAttributionRow[];
  let landedAuditIds = new Set<string>();
  let findings: ReportFindingRow[];
  let misuseIds = new Set<string>();
  try {
    attributions = (
      await store.rows<Omit<AttributionRow, 'candidates'> & { candidates: string }>(`select event_id, confidence, pod_uid, candidates::VARCHAR as candidates from attributions`)
    ).map((r) => ({ ...r, candidates: JSON.parse(r.candidates) as AttributionRow['candidates'] }));
    kube = await store.rows<KubeAttributionRow>(`select audit_id, pod_uid, off_pod from kube_attributions`);
    misuseIds = new Set((await store.rows<{ event_id: string }>(`select event_id from credential_misuse`)).map((r) => r.event_id));
    landedAuditIds = new Set((await store.rows<{ audit_id: string }>(`select distinct audit_id from kube_audit_events`)).map((r) => r.audit_id));
    findings = (await store.rows<Omit<ReportFindingRow, 'named'> & { named: boolean | null }>(`select rank, actor_kind, actor_id, named from rpt_findings order by rank`)).map((r) => ({
      ...r,
      named: r.named === true,
    }));
  } finally {
    store.close();
  }
  const cloud = scoreCloud(truth.cloud_events, attributions);
  const kubeScore = scoreKube(truth.kube_requests, kube, landedAuditIds);
  const gaps = validation ? scoreGaps(truth.gaps, truth.clock_offsets, validation) : null;
  const failures: string[] = [];
  if (cloud.precision !== null && cloud.precision < 1) failures.push(`precision ${cloud.precision.toFixed(3)} < 1`);
  if (cloud.ambiguousOk !== null && cloud.ambiguousOk < 1) failures.push(`ambiguous without the true pod`);
  if (cloud.notPodMadeProvenStrong > 0) failures.push(`${cloud.notPodMadeProvenStrong} calls no pod made attributed proven/strong`);
  if (cloud.recallDecidable !== null && cloud.recallDecidable < RECALL_FLOOR) {
    failures.push(`recall of decidable calls ${cloud.recallDecidable.toFixed(3)} < ${RECALL_FLOOR} (missed, by what decides them: ${JSON.stringify(cloud.missedBy)})`);
  }
  if (kubeScore.podCorrect < kubeScore.requests) failures.push(`pod-token requests: ${kubeScore.podCorrect}/${kubeScore.requests} attributed to their bound pod`);
  if (kubeScore.offPodCorrect < kubeScore.requests) failures.push(`pod-token requests: off-pod right on ${kubeScore.offPodCorrect}/${kubeScore.requests}`);
  if (gaps) failures.push(...gaps.failures);
  const report = scoreReport(truth.incidents, findings);
  failures.push(...report.failures);
  const replayed = truth.cloud_events.filter((e) => e.why_not_pod === 'replayed-outside' && e.logged);
  const podMadeIds = new Set(truth.cloud_events.filter((e) => e.made_by_pod_uid !== null).map((e) => e.event_id));
  const misuse = { replayed: replayed.length, listed: replayed.filter((e) => misuseIds.has(e.event_id)).length, podMade: [...misuseIds].filter((id) => podMadeIds.has(id)).length };
  if (misuse.podMade > 0) failures.push(`${misuse.podMade} credential_misuse rows for calls a pod really made`);
  return { scenario, seed, cloud, kube: kubeScore, gaps, report, misuse, seconds: (performance.now() - t0) / 1000, failures };
}

const pct = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

export function formatEvalTable(rows: EvalRow[]): string {
  const head = ['scenario', 'seed', 'calls', 'proven', 'strong', 'ambig', 'unattr', 'precision', 'ambig ok', 'recall', 'decidable', 'recall dec', 'kube pod', 'off-pod ok', 'gaps det/inj', 'false gaps', 'clock err s', 'report', 'misuse', 'time s', 'result'];
  const body = rows.map((r) => [
    r.scenario,
    String(r.seed),
    String(r.cloud.attributions),
    String(r.cloud.byConfidence['proven'] ?? 0),
    String(r.cloud.byConfidence['strong'] ?? 0),
    String(r.cloud.byConfidence['ambiguous'] ?? 0),
    String(r.cloud.byConfidence['unattributed'] ?? 0),
    pct(r.cloud.precision),
    pct(r.cloud.ambiguousOk),
    pct(r.cloud.recall),
    `${r.cloud.decidable}/${r.cloud.podMade}`,
    pct(r.cloud.recallDecidable),
    `${r.kube.podCorrect}/${r.kube.requests}`,
    `${r.kube.offPodCorrect}/${r.kube.requests}`,
    r.gaps ? `${r.gaps.detected}/${r.gaps.injected}` : 'n/a',
    r.gaps ? String(r.gaps.falseGaps) : 'n/a',
    r.gaps && r.gaps.clockErrorSeconds !== null ? r.gaps.clockErrorSeconds.toFixed(2) : '-',
    `${r.report.told}/${r.report.incidents} #${r.report.ranks.map((k) => k ?? '-').join(',')}`,
    `${r.misuse.listed}/${r.misuse.replayed}${r.misuse.podMade ? ` +${r.misuse.podMade} pod-made` : ''}`,
    r.seconds.toFixed(1),
    r.failures.length ? 'FAIL' : 'ok',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)];
  out.push('', ...formatRecallBreakdown(rows));
  for (const r of rows) for (const f of r.failures) out.push(`FAIL ${r.scenario} seed ${r.seed}: ${f}`);
  return out.join('\n') + '\n';
}

/** Recall of decidable pod-made calls over all rows, per attribution path and per property. */
export function formatRecallBreakdown(rows: EvalRow[]): string[] {
  const sum = (pick: (r: EvalRow) => Record<string, { decidable: number; recalled: number }>): Map<string, { decidable: number; recalled: number }> => {
    const m = new Map<string, { decidable: number; recalled: number }>();
    for (const r of rows) {
      for (const [k, v] of Object.entries(pick(r))) {
        const c = m.get(k) ?? { decidable: 0, recalled: 0 };
        c.decidable += v.decidable;
        c.recalled += v.recalled;
        m.set(k, c);
      }
    }
    return m;
  };
  const lines = (title: string, m: Map<string, { decidable: number; recalled: number }>): string[] => [
    `${title}: ${[...m.entries()]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, v]) => `${k} ${v.decidable === 0 ? '-' : (v.recalled / v.decidable).toFixed(3)} (${v.recalled}/${v.decidable})`)
      .join(', ')}`,
  ];
  const replayed = rows.reduce((n, r) => n + r.misuse.replayed, 0);
  const listed = rows.reduce((n, r) => n + r.misuse.listed, 0);
  const podMade = rows.reduce((n, r) => n + r.misuse.podMade, 0);
  return [
    ...lines('recall of decidable calls by path', sum((r) => r.cloud.byPath)),
    ...lines('recall of decidable calls by property', sum((r) => r.cloud.byProperty)),
    `credential_misuse: calls replayed from outside after their pod was gone, listed ${listed}/${replayed}; rows for calls a pod really made ${podMade}`,
  ];
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const root = a.keep ?? mkdtempSync(path.join(os.tmpdir(), 'podtrail-eval-'));
  if (!existsSync(root)) mkdirSync(root, { recursive: true });
  const rows: EvalRow[] = [];
  try {
    for (const seed of a.seeds) {
      for (const scenario of a.scenarios) {
        const dir = path.join(root, `${scenario}-${seed}`);
        rmSync(dir, { recursive: true, force: true });
        process.stderr.write(`eval ${scenario} seed ${seed} scale ${a.scale}\n`);
        rows.push(await evaluateScenario(scenario, seed, a.scale, dir));
      }
    }
  } finally {
    if (!a.keep) rmSync(root, { recursive: true, force: true });
  }
  process.stdout.write(`podtrail accuracy on generated scenarios (scale ${a.scale})\n` + formatEvalTable(rows));
  if (rows.some((r) => r.failures.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  main().catch((e: unknown) => {
    process.stderr.write(`eval: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 2;
  });
}
