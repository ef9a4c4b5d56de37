import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { createClock } from '../core/clock.js';
import { CliError, IntegrityError, UnauthenticatedError, UsageError } from '../core/errors.js';
import { TOOL_ID } from '../core/version.js';
import type { CustodyEntry } from '../custody/custody-log.js';
import type { EvidenceFileRow } from '../lake/evidence-file-row.js';
import { ingestCase } from '../ingest/ingest-case.js';
import { snapshotFromFileName } from '../ingest/snapshot-time.js';
import { termLine } from '../output/terminal-text.js';
import { byteOrder, listFiles, sha256File } from '../bundle/files.js';
import { ENVELOPE_FILE, parseSha256Sums, PUBLIC_KEY_FILE, SHA256SUMS } from '../bundle/sha256sums.js';
import { decodeBase64 } from '../bundle/dsse.js';
import { keyIdOf, parsePublicKey, type KeyPair } from '../bundle/keys.js';
import { bundleCase, signerFromPair, type BundleResult, type Signer } from '../bundle/bundle-case.js';
import { correlateCase, CORRELATE_PURPOSE } from '../correlate/correlate-case.js';
import { checkCase, CHECK_PURPOSE } from '../check/check-case.js';
import { formatCheck, verifyBundle } from '../bundle/verify-bundle.js';

export interface ReproduceOptions {
  bundleDir: string;
  inputsDir: string;
  /** Default ./podtrail-reproduce; gets case/, inputs/ and bundle/. */
  outDir?: string | null;
  /** The signer's private key, when the reviewer holds it: the attestation is then re-signed and compared too. */
  key?: KeyPair | null;
  pubkeyFile?: string | null;
  /** A trust file of pinned signer keys (as verify --trust). */
  trustFile?: string | null;
  /** Reproduce a bundle whose signer no pinned key authenticates (unsigned, or signed by the key it ships). */
  allowUnpinned?: boolean;
  log?: (line: string) => void;
}

export interface Difference {
  file: string;
  kind: 'missing' | 'added' | 'content';
  line: number | null;
  expected: string | null;
  actual: string | null;
}

export interface ReproduceResult {
  caseDir: string;
  bundle: BundleResult;
  identical: boolean;
  files: number;
  difference: Difference | null;
  attestation: string;
}

interface Manifest {
  case_id: string;
  inputs: EvidenceFileRow[];
}

/** The recorded file name of an input: its raw copy's name without "raw/<id>-". */
function recordedName(r: EvidenceFileRow): string {
  const base = r.raw_path.split('/').pop() ?? '';
  const prefix = `${r.evidence_file_id}-`;
  return base.startsWith(prefix) ? base.slice(prefix.length) : base;
}

/** Every file under dir by sha256 (the first in byte order when the same bytes appear twice). */
async function indexByHash(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rel of listFiles(dir).files) {
    const abs = path.join(dir, ...rel.split('/'));
    const { sha256 } = await sha256File(abs);
    if (!out.has(sha256)) out.set(sha256, abs);
  }
  return out;
}

/** Acquisition runs in the order the custody log records them. */
function ingestOrder(inputs: EvidenceFileRow[], custody: CustodyEntry[]): string[] {
  const order: string[] = [];
  for (const e of custody) {
    const id = (e.object as { ingest_id?: unknown })['ingest_id'];
    if (e.action === 'acquired' && typeof id === 'string' && !order.includes(id)) order.push(id);
  }
  for (const r of [...inputs].sort((a, b) => byteOrder(`${a.acquired_at} ${a.ingest_id}`, `${b.acquired_at} ${b.ingest_id}`))) {
    if (!order.includes(r.ingest_id)) order.push(r.ingest_id);
  }
  return order;
}

/** The first differing line of two files, streamed. */
async function firstDifferentLine(a: string, b: string): Promise<{ line: number; expected: string | null; actual: string | null }> {
  const ia = createInterface({ input: createReadStream(a), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const ib = createInterface({ input: createReadStream(b), crlfDelay: Infinity })[Symbol.asyncIterator]();
  for (let n = 1; ; n++) {
    const [x, y] = await Promise.all([ia.next(), ib.next()]);
    if (x.done && y.done) return { line: n, expected: null, actual: null };
    if (x.done || y.done || x.value !== y.value) {
      return { line: n, expected: x.done ? null : (x.value as string), actual: y.done ? null : (y.value as string) };
    }
  }
}

/** sha256 of each file a bundle's SHA256SUMS lists, when already known (verified, or computed while writing). */
export type KnownHashes = ReadonlyMap<string, string>;

/**
 * The first difference between two bundle folders (files in byte order), or null. A file's hash is
 * taken from `known` when given (podtrail reproduce: the original's SHA256SUMS, just verified, and
 * the hashes the writer computed), else computed; lines are compared only for a file that differs.
 */
export async function compareBundles(
  expectedDir: string,
  actualDir: string,
  known: { expected?: KnownHashes; actual?: KnownHashes } = {},
): Promise<{ files: number; difference: Difference | null }> {
  const digest = async (file: string, f: string, m?: KnownHashes): Promise<string> => m?.get(f) ?? (await sha256File(file)).sha256;
  const want = listFiles(expectedDir).files;
  const got = listFiles(actualDir).files;
  const all = [...new Set([...want, ...got])].sort(byteOrder);
  for (const f of all) {
    if (!got.includes(f)) return { files: all.length, difference: { file: f, kind: 'missing', line: null, expected: null, actual: null } };
    if (!want.includes(f)) return { files: all.length, difference: { file: f, kind: 'added', line: null, expected: null, actual: null } };
    const a = path.join(expectedDir, ...f.split('/'));
    const b = path.join(actualDir, ...f.split('/'));
    if ((await digest(a, f, known.expected)) !== (await digest(b, f, known.actual))) {
      const d = await firstDifferentLine(a, b);
      return { files: all.length, difference: { file: f, kind: 'content', ...d } };
    }
  }
  return { files: all.length, difference: null };
}

export function describeDifference(d: Difference): string {
  if (d.kind === 'missing') return `${d.file}: in the bundle, not in the reproduction`;
  if (d.kind === 'added') return `${d.file}: in the reproduction, not in the bundle`;
  const show = (s: string | null): string => (s === null ? '(end of file)' : termLine(s.length > 200 ? `${s.slice(0, 200)}...` : s));
  return `${d.file} line ${d.line}:\n  bundle:       ${show(d.expected)}\n  reproduction: ${show(d.actual)}`;
}

/**
 * `podtrail reproduce`: a reviewer holding the raw evidence rebuilds the case from the bundle's
 * case.yaml and recorded acquisition metadata (origins, times, operators, ingest ids), replays
 * in custody order every acquisition, correlation and gaps check at its recorded time and by its
 * recorded actor with the same tool version, bundles, and compares with the original byte for
 * byte. Not replayed: an export recorded between two analyses (its custody entry names a bundle
 * this reproduction does not make); the comparison then names custody.jsonl.
 */
export async function reproduceBundle(o: ReproduceOptions): Promise<ReproduceResult> {
  const log = o.log ?? (() => {});
  const bundleDir = path.resolve(o.bundleDir);
  const verified = await verifyBundle(bundleDir, { pubkeyFile: o.pubkeyFile ?? null, trustFile: o.trustFile ?? null });
  if (!verified.ok) {
    throw new IntegrityError(`${bundleDir} does not verify; refusing to reproduce it:\n  ${verified.checks.filter((c) => c.status === 'FAIL').map(formatCheck).join('\n  ')}`);
  }
  if (verified.trust !== 'pinned' && !o.allowUnpinned) {
    throw new UnauthenticatedError(`${bundleDir} is intact, but ${verified.trust === 'unsigned' ? 'unsigned' : `signed by a key it ships (keyid ${verified.signer}) that nobody pinned`}: pin the signer with --pubkey FILE or --trust FILE (a demo bundle: --pubkey DEMO_CASE/demo-signer.pub.pem), or pass --allow-unpinned`);
  }
  const manifest = JSON.parse(readFileSync(path.join(bundleDir, 'manifest.json'), 'utf8')) as Manifest;
  const custody = readFileSync(path.join(bundleDir, 'custody.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as CustodyEntry);
  const analyses = custody.filter((e) => e.action === 'analyzed');
  const lastCheck = [...analyses].reverse().find((e) => e.purpose.startsWith(CHECK_PURPOSE));
  if (!analyses.some((e) => e.purpose.startsWith(CORRELATE_PURPOSE)) || !lastCheck) {
    throw new CliError(`${bundleDir}/custody.jsonl has no correlation and gaps-check entries: not a podtrail bundle`);
  }
  const other = analyses.find((e) => e.tool !== TOOL_ID);
  if (other) throw new CliError(`the bundle was analyzed by ${other.tool}, this is ${TOOL_ID}: reproduce with that version (npx ${other.tool.replace('/', '@')} reproduce ...)`);

  const out = path.resolve(o.outDir ?? 'podtrail-reproduce');
  if (existsSync(out) && readdirSync(out).length > 0) throw new UsageError(`${out} is not empty: give --out NEW_DIR`);
  if (!existsSync(o.inputsDir)) throw new UsageError(`${o.inputsDir}: no such folder`);
  log(`hashing the files under ${o.inputsDir}`);
  const byHash = await indexByHash(path.resolve(o.inputsDir));
  const missing = manifest.inputs.filter((r) => !byHash.has(r.sha256));
  if (missing.length > 0) {
    throw new CliError(`${missing.length} of the bundle's ${manifest.inputs.length} inputs are not under ${o.inputsDir} (looked up by sha256):\n  ${missing.map((r) => `${r.origin} (sha256 ${r.sha256})`).join('\n  ')}`);
  }

  // the case, as recorded: case.yaml, then each acquisition run with its origins, time and operator
  const caseDir = path.join(out, 'case');
  mkdirSync(path.join(caseDir, 'raw'), { recursive: true });
  mkdirSync(path.join(caseDir, 'lake'), { recursive: true });
  writeFileSync(path.join(caseDir, 'case.yaml'), readFileSync(path.join(bundleDir, 'case.yaml')));
  const replayIngest = async (ingestId: string): Promise<void> => {
    const rows = manifest.inputs.filter((r) => r.ingest_id === ingestId);
    if (rows.length === 0) return;
    const origins = new Map<string, string>();
    const paths: string[] = [];
    for (const r of rows) {
      const dir = path.join(out, 'inputs', r.evidence_file_id);
      mkdirSync(dir, { recursive: true });
      const copy = path.join(dir, recordedName(r));
      copyFileSync(byHash.get(r.sha256)!, copy);
      origins.set(realpathSync(copy), r.origin);
      paths.push(dir);
    }
    const declared = rows.every((r) => r.detected_by === 'declared') ? (rows[0]!.source_type as Parameters<typeof ingestCase>[0]['source']) : null;
    const overridden = rows.find((r) => r.snapshot_at && snapshotFromFileName(recordedName(r)) !== null && Date.parse(snapshotFromFileName(recordedName(r))!) !== Date.parse(r.snapshot_at)) ??
      rows.find((r) => r.snapshot_at && snapshotFromFileName(recordedName(r)) === null);
    log(`replaying acquisition ${ingestId}: ${rows.length} files acquired at ${rows[0]!.acquired_at} by ${rows[0]!.operator}`);
    await ingestCase({
      caseDir,
      paths,
      source: declared,
      operator: rows[0]!.operator,
      snapshotAt: overridden?.snapshot_at ?? null,
      collectedAt: rows[0]!.collected_at ?? null,
      clock: createClock(rows[0]!.acquired_at),
      log: () => {},
      replay: { ingestId, origins },
    });
  };

  // replay in the order of the custody log: each acquisition run, each correlation and gaps check
  // at its recorded time and by its recorded actor
  const done = new Set<string>();
  for (const e of custody) {
    const id = (e.object as { ingest_id?: unknown })['ingest_id'];
    if (e.action === 'acquired' && typeof id === 'string' && !done.has(id)) {
      done.add(id);
      await replayIngest(id);
    } else if (e.action === 'analyzed' && e.purpose.startsWith(CORRELATE_PURPOSE)) {
      log(`replaying the correlation of ${e.at} by ${e.actor}`);
      await correlateCase(caseDir, () => {}, createClock(e.at), e.actor);
    } else if (e.action === 'analyzed' && e.purpose.startsWith(CHECK_PURPOSE)) {
      log(`replaying the gaps checks of ${e.at} by ${e.actor}`);
      await checkCase(caseDir, () => {}, createClock(e.at), e.actor);
    }
  }
  for (const id of ingestOrder(manifest.inputs, custody)) if (!done.has(id)) await replayIngest(id);

  // the analysis, at its recorded time and by its recorded actor; the same signer (or its public half)
  const pubPem = existsSync(path.join(bundleDir, PUBLIC_KEY_FILE)) ? readFileSync(path.join(bundleDir, PUBLIC_KEY_FILE), 'utf8') : null;
  let signer: Signer | null = null;
  if (o.key) signer = signerFromPair(o.key);
  else if (pubPem !== null) signer = { keyid: keyIdOf(parsePublicKey(pubPem, PUBLIC_KEY_FILE)), publicKeyPem: pubPem, pair: null };
  const bundle = await bundleCase({ caseDir, outDir: path.join(out, 'bundle'), signer, clock: createClock(lastCheck.at), operator: lastCheck.actor, log });

  // without the private key the envelope cannot be re-made; the original one stands if it signs the very same statement
  let attestation = 'unsigned bundle';
  const origEnv = path.join(bundleDir, ENVELOPE_FILE);
  if (existsSync(origEnv)) {
    if (bundle.signed) attestation = 're-signed with the key given';
    else {
      const payload = decodeBase64((JSON.parse(readFileSync(origEnv, 'utf8')) as { payload: string }).payload);
      if (payload && payload.equals(bundle.statement)) {
        copyFileSync(origEnv, path.join(bundle.outDir, ENVELOPE_FILE));
        attestation = 'the reproduced statement is byte-identical to the signed one: the original signature covers the reproduction';
      } else attestation = 'the reproduced statement differs from the signed one';
    }
  }
  const sums = (text: string): KnownHashes => new Map(parseSha256Sums(text).entries.map((e) => [e.name, e.sha256]));
  const cmp = await compareBundles(bundleDir, bundle.outDir, { expected: sums(readFileSync(path.join(bundleDir, SHA256SUMS), 'utf8')), actual: sums(bundle.sha256sums) });
  return { caseDir, bundle, identical: cmp.difference === null, files: cmp.files, difference: cmp.difference, attestation };
}
