import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { casePaths, type CasePaths } from '../case/case-paths.js';
import { loadCaseConfig, type CaseConfig } from '../case/case-config.js';
import { withCaseLock, withCaseStore } from '../store/locked-case.js';
import type { Store } from '../store/store.js';
import { readEvidenceFiles } from '../store/catalog.js';
import type { Clock } from '../core/clock.js';
import { CliError, UsageError } from '../core/errors.js';
import { TOOL_ID, TOOL_NAME, TOOL_VERSION } from '../core/version.js';
import { canonicalJson } from '../core/canonical-json.js';
import { appendCustody, sha256Hex } from '../custody/custody-log.js';
import { renderReport } from '../render/render.js';
import { writeHashed, type WrittenFile } from './files.js';
import { recheckRaw } from './recheck-raw.js';
import { correlationFingerprint, requireFreshCorrelation } from '../correlate/freshness.js';
import { bundleCustody } from './custody-export.js';
import { faultPoint } from '../core/fault-point.js';
import { bundleValidationText, findingsOf, readValidation, type SignatureStatus } from './validation.js';
import { exportInventory, exportJoins, exportTimeline } from './export-tables.js';
import { buildReportModel } from '../report/build-model.js';
import type { ReportModel } from '../report/model.js';
import { ENVELOPE_FILE, formatSha256Sums, PUBLIC_KEY_FILE, SHA256SUMS } from './sha256sums.js';
import { buildStatement, PREDICATE_TYPE, statementBytes, type BundlePredicate } from './statement.js';
import { envelopeText, IN_TOTO_PAYLOAD_TYPE, signEnvelope } from './dsse.js';
import { keyIdOf, loadPrivateKey, publicKeyPem, type KeyPair } from './keys.js';
import { count, formatBytes, toProgress, type ProgressLike } from '../core/progress.js';

/** Who signs: a private key, or (reproduce without it) only the public half the bundle names. */
export interface Signer {
  keyid: string;
  publicKeyPem: string;
  pair: KeyPair | null;
}

export function signerFromPair(pair: KeyPair): Signer {
  return { keyid: keyIdOf(pair.publicKey), publicKeyPem: publicKeyPem(pair.publicKey), pair };
}

export interface BundleOptions {
  caseDir: string;
  /** Default CASE/bundle. */
  outDir?: string | null;
  /** Replace a non-empty output folder. */
  force?: boolean;
  signer?: Signer | null;
  clock: Clock;
  /** Who runs the analysis and the export (custody actor); default the OS user. */
  operator?: string | null;
  /** Progress of each step (a plain line logger gets one line per finished step). */
  log?: ProgressLike;
}

export interface BundleResult {
  outDir: string;
  files: WrittenFile[];
  signed: boolean;
  keyid: string | null;
  statement: Buffer;
  sha256sums: string;
  timelineEvents: number;
  attributions: number;
  kubeAttributions: number;
  custodyHead: string;
  model: ReportModel;
  timings: Record<string, number>;
}

export const DEFAULT_BUNDLE_DIR = 'bundle';

function isInside(child: string, parent: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** Where the bundle goes: never into raw/, lake/ or over the case itself; a non-empty folder only with force. */
function outputDir(p: CasePaths, o: BundleOptions): string {
  const out = path.resolve(o.outDir ?? path.join(p.root, DEFAULT_BUNDLE_DIR));
  for (const forbidden of [p.raw, p.lake, p.tmp, p.snapshot]) if (isInside(out, forbidden)) throw new UsageError(`${out}: a bundle cannot be written inside the case's ${path.basename(forbidden)}/`);
  if (isInside(p.root, out)) throw new UsageError(`${out}: a bundle cannot be written over the case folder itself`);
  if (existsSync(out) && readdirSync(out).length > 0 && !o.force) {
    throw new CliError(`${out} is not empty: give another --out, or --force to replace that bundle`);
  }
  return out;
}

/** What the steps of one bundle run share. */
interface BundleRun {
  o: BundleOptions;
  p: CasePaths;
  config: CaseConfig;
  configText: Buffer;
  out: string;
  staging: string;
  operator: string;
  progress: ReturnType<typeof toProgress>;
  /** Records the time since the previous lap under `key`. */
  lap(key: string): void;
  timings: Record<string, number>;
}

/** What the case's store gives the bundle: every file but SHA256SUMS and the signature, written. */
interface BundleContent {
  written: WrittenFile[];
  result: Omit<BundleResult, 'outDir' | 'files' | 'signed' | 'keyid' | 'statement' | 'sha256sums' | 'timings'>;
  inputs: BundlePredicate['inputs'];
  rawVerified: { files: number; bytes: number };
}

/**
 * `podtrail bundle`: re-verifies raw/ against the catalog, checks that correlation is fresh and the
 * gaps checks ran, writes every bundle file into a staging folder, hashes, signs, moves it into
 * place, then records the export. Same case, same tool, same key: the same bytes.
 */
export async function bundleCase(o: BundleOptions): Promise<BundleResult> {
  const run = prepareRun(o);
  return withCaseLock(run.p, async () => {
    try {
      run.configText = readFileSync(run.p.config);
      const content = await withCaseStore(run.p, { write: false }, (store) => writeContent(run, store));
      const { sums, statement } = signStaging(run, content);
      publish(run);
      recordExport(run, content, sums, statement);
      const files = [...content.written].sort((a, b) => (a.name < b.name ? -1 : 1));
      const signer = run.o.signer;
      return { outDir: run.out, files, signed: Boolean(signer?.pair), keyid: signer?.keyid ?? null, statement, sha256sums: sums, timings: run.timings, ...content.result };
    } finally {
      rmSync(run.staging, { recursive: true, force: true });
    }
  });
}

/** The case, its configuration, where the bundle goes and who writes it; nothing locked or opened yet. */
function prepareRun(o: BundleOptions): BundleRun {
  const p = casePaths(o.caseDir);
  const config = loadCaseConfig(p.config);
  const out = outputDir(p, o);
  const timings: Record<string, number> = {};
  let mark = performance.now();
  return {
    o,
    p,
    config,
    configText: Buffer.alloc(0),
    out,
    staging: `${out}.partial`,
    operator: o.operator ?? os.userInfo().username,
    progress: toProgress(o.log),
    timings,
    lap: (k) => {
      const now = performance.now();
      timings[k] = now - mark;
      mark = now;
    },
  };
}

/** Re-hashes raw/, requires fresh correlation and checks, then writes every file the store gives into staging. */
async function writeContent(run: BundleRun, store: Store): Promise<BundleContent> {
  const { p, o, progress, lap, config, configText, staging } = run;
  const written: WrittenFile[] = [];
  const catalog = await readEvidenceFiles(store, p.lake);
  if (catalog.length === 0) throw new CliError(`${p.root}: no evidence acquired yet (podtrail ingest CASE INPUTS...)`);
  progress.begin(`re-hashing ${count(catalog.length, 'raw file')} against the catalog`, catalog.reduce((n, r) => n + Number(r.size_bytes), 0), 'bytes');
  const rawVerified = await recheckRaw(p.root, catalog, (bytes, file) => progress.tick(bytes, file));
  lap('recheck_raw_ms');
  progress.end(`re-hashed ${count(rawVerified.files, 'raw file')} (${formatBytes(rawVerified.bytes)}): all match the catalog`);
  await requireFreshCorrelation(store, correlationFingerprint(catalog, configText), o.caseDir);
  const validation = readValidation(p.validation);
  const custody = bundleCustody(p.custody, catalog);

  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const signature: SignatureStatus = o.signer
    ? { status: 'signed', algorithm: 'ed25519', keyid: o.signer.keyid, envelope: ENVELOPE_FILE, public_key: PUBLIC_KEY_FILE, payload_type: IN_TOTO_PAYLOAD_TYPE, predicate_type: PREDICATE_TYPE }
    : { status: 'unsigned' };
  written.push(writeHashed(staging, 'case.yaml', configText.toString('utf8')));
  written.push(writeHashed(staging, 'manifest.json', `${canonicalJson({ schema: 'podtrail.acquisition-manifest/v1', case_id: config.case_id, inputs: catalog })}\n`));
  written.push(writeHashed(staging, 'custody.jsonl', custody.text));
  written.push(writeHashed(staging, 'validation.json', bundleValidationText(validation.value, signature)));
  progress.begin('writing timeline.jsonl', undefined, 'items');
  const timeline = await exportTimeline(store, staging, (rows) => progress.tick(rows, 'events'));
  written.push(timeline);
  lap('timeline_ms');
  progress.end(`timeline.jsonl: ${count(timeline.lines, 'event')}`);
  progress.begin('writing joins.jsonl and inventory/');
  const joins = await exportJoins(store, staging);
  written.push(joins);
  written.push(...(await exportInventory(store, staging)));
  lap('joins_inventory_ms');
  progress.end(`joins.jsonl: ${count(joins.attributions, 'attribution')} and ${count(joins.kube, 'kube attribution')}; inventory/ written`);
  progress.begin('writing the report');
  const model = await buildReportModel(store, {
    config,
    catalog,
    findings: findingsOf(validation.value),
    signature,
    tool: TOOL_ID,
    custody: { entries: custody.entries, head: custody.head },
    timelineEvents: timeline.lines,
  });
  const report = renderReport(model);
  written.push(writeHashed(staging, 'report.md', report.markdown));
  written.push(writeHashed(staging, 'report.html', report.html));
  lap('report_ms');
  progress.end(`report.md and report.html: ${count(model.answer_total, 'finding')}`);
  return {
    written,
    result: { timelineEvents: timeline.lines, attributions: joins.attributions, kubeAttributions: joins.kube, custodyHead: custody.head, model },
    inputs: catalog.map((r) => ({
      evidence_file_id: r.evidence_file_id,
      origin: r.origin,
      sha256: r.sha256,
      size_bytes: Number(r.size_bytes),
      inflated_sha256: r.inflated_sha256,
    })),
    rawVerified,
  };
}

/** SHA256SUMS over the written files, the in-toto statement, and with a key its DSSE envelope and public key. */
function signStaging(run: BundleRun, content: BundleContent): { sums: string; statement: Buffer } {
  const { o, config, configText, staging } = run;
  const sums = formatSha256Sums(content.written);
  writeHashed(staging, SHA256SUMS, sums);
  const predicate: BundlePredicate = {
    case_id: config.case_id,
    inputs: content.inputs,
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    config_sha256: sha256Hex(configText),
    custody_head: content.result.custodyHead,
  };
  const statement = statementBytes(buildStatement(content.written, predicate));
  if (o.signer?.pair) {
    writeHashed(staging, ENVELOPE_FILE, envelopeText(signEnvelope(statement, IN_TOTO_PAYLOAD_TYPE, o.signer.pair.privateKey, o.signer.keyid)));
  }
  if (o.signer) writeHashed(staging, PUBLIC_KEY_FILE, o.signer.publicKeyPem);
  run.lap('sign_ms');
  run.progress.end(o.signer?.pair ? 'SHA256SUMS written and signed' : 'SHA256SUMS written');
  return { sums, statement };
}

/** Moves the staged bundle into place, replacing a bundle there. */
function publish(run: BundleRun): void {
  if (existsSync(run.out)) rmSync(run.out, { recursive: true, force: true });
  mkdirSync(path.dirname(run.out), { recursive: true });
  renameSync(run.staging, run.out);
}

/** The custody entry of the export (after the bundle exists; no bundle carries its own export). */
function recordExport(run: BundleRun, content: BundleContent, sums: string, statement: Buffer): void {
  const { o, p, out } = run;
  faultPoint('before-export-entry');
  appendCustody(p.custody, [{
    action: 'exported',
    at: o.clock.nowIso(),
    actor: run.operator,
    tool: TOOL_ID,
    purpose: 'evidence bundle written (not part of any bundle: a bundle carries the acquisition and analysis entries before it)',
    object: {
      bundle: isInside(out, p.root) ? path.relative(p.root, out).split(path.sep).join('/') : out,
      sha256sums_sha256: sha256Hex(sums),
      statement_sha256: sha256Hex(statement),
      files: content.written.length,
      custody_head: content.result.custodyHead,
      keyid: o.signer?.keyid ?? null,
      signed: Boolean(o.signer?.pair),
      raw_rehashed: content.rawVerified,
    },
  }]);
}

/** --key FILE as a signer (none without a file). */
export function signerFromKeyFile(file: string | undefined | null): Signer | null {
  return file ? signerFromPair(loadPrivateKey(file)) : null;
}

/** What bundle and run print: one line per fact, machine-friendly. */
export function bundleSummary(r: BundleResult): string[] {
  return [
    `bundle ${r.outDir}`,
    `files ${r.files.length} (timeline ${count(r.timelineEvents, 'event')}, joins ${count(r.attributions, 'attribution')} + ${count(r.kubeAttributions, 'kube attribution')})`,
    r.signed ? `signed ed25519 keyid ${r.keyid}` : r.keyid ? `statement for keyid ${r.keyid} (not signed here)` : 'unsigned (validation.json says "unsigned")',
    `SHA256SUMS sha256 ${sha256Hex(r.sha256sums)}`,
    `custody head ${r.custodyHead}`,
  ];
}
