import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { count } from '../core/progress.js';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { KeyObject } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { headHash, sha256Hex, verifyChain, type CustodyEntry } from '../custody/custody-log.js';
import { uncoveredInputs, type CoveredInput } from '../custody/coverage.js';
import { listFiles, sha256File } from './files.js';
import { ENVELOPE_FILE, parseSha256Sums, PUBLIC_KEY_FILE, SHA256SUMS, UNLISTED_FILES, type SumEntry } from './sha256sums.js';
import { verifyEnvelope } from './dsse.js';
import { keyIdOf, loadPublicKey, parsePublicKey } from './keys.js';
import { PREDICATE_TYPE, STATEMENT_TYPE, type Statement } from './statement.js';
import { termLine } from '../output/terminal-text.js';

export interface CheckLine {
  check: string;
  /** FAIL: integrity broken. warn: intact, but the signer is not authenticated. */
  status: 'ok' | 'FAIL' | 'skip' | 'warn';
  message: string;
}

/** A public key the reviewer trusts, and where it came from (for messages). */
export interface PinnedKey {
  key: KeyObject;
  source: string;
}

export interface VerifyOptions {
  /** The signer's public key as the reviewer holds it (PEM). */
  pubkeyFile?: string | null;
  /** A trust file: one or more PEM public keys, any of which may have signed. */
  trustFile?: string | null;
  /** Keys pinned by the caller itself (demo: the published demo key). */
  pinned?: PinnedKey[];
}

/**
 * Who vouches for the bundle. pinned: signed by a key the reviewer pinned (verified). unpinned: the
 * signature verifies with the key the bundle ships, which anyone re-signing it can replace: the
 * signer is not authenticated. unsigned: nobody signed it. Integrity failures are separate (ok).
 */
export type Trust = 'pinned' | 'unpinned' | 'unsigned';

export interface VerifyResult {
  checks: CheckLine[];
  /** No integrity check failed. */
  ok: boolean;
  trust: Trust;
  /** keyid of the key the signature verifies with, when it does. */
  signer: string | null;
}

/** Every PEM public key of a trust file (blocks of -----BEGIN PUBLIC KEY-----; other lines are comments). */
export function loadTrustFile(file: string): PinnedKey[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read the trust file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const blocks = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]*?-----END PUBLIC KEY-----/g) ?? [];
  if (blocks.length === 0) throw new UsageError(`${file}: no PEM public key in the trust file (podtrail keygen writes PREFIX.pub.pem)`);
  return blocks.map((b, i) => ({ key: parsePublicKey(b, `${file} key ${i + 1}`), source: `trust file ${file}` }));
}

/** The keys a verification trusts: --pubkey, the trust file (--trust or PODTRAIL_TRUST), and the caller's. */
export function pinnedKeys(o: VerifyOptions, env: NodeJS.ProcessEnv = process.env): PinnedKey[] {
  const out: PinnedKey[] = [...(o.pinned ?? [])];
  if (o.pubkeyFile) out.push({ key: loadPublicKey(o.pubkeyFile), source: `--pubkey ${o.pubkeyFile}` });
  const trust = o.trustFile ?? env['PODTRAIL_TRUST'] ?? null;
  if (trust) out.push(...loadTrustFile(trust));
  return out;
}

const MAX_NAMED = 5;

function listed(problems: string[]): string {
  const head = problems.slice(0, MAX_NAMED).join('; ');
  return problems.length > MAX_NAMED ? `${head}; and ${problems.length - MAX_NAMED} more` : head;
}

function readText(dir: string, name: string): string | null {
  const f = path.join(dir, name);
  return existsSync(f) && statSync(f).isFile() ? readFileSync(f, 'utf8') : null;
}

/** Every file of SHA256SUMS present with its hash; none missing; none added. */
async function checkFiles(dir: string, entries: SumEntry[]): Promise<CheckLine[]> {
  const { files, special } = listFiles(dir);
  const present = new Set(files);
  const listedNames = new Set(entries.map((e) => e.name));
  const bad: string[] = [];
  const missing: string[] = [];
  let good = 0;
  for (const e of entries) {
    if (!present.has(e.name)) {
      missing.push(`${e.name} is listed in SHA256SUMS but missing`);
      continue;
    }
    const now = await sha256File(path.join(dir, ...e.name.split('/')));
    if (now.sha256 === e.sha256) good++;
    else bad.push(`${e.name}: sha256 ${now.sha256} differs from ${e.sha256} in SHA256SUMS (file changed)`);
  }
  const added = [
    ...files.filter((f) => !listedNames.has(f) && !UNLISTED_FILES.includes(f)).map((f) => `${f} is not listed in SHA256SUMS (file added)`),
    ...special.map((f) => `${f} is not a regular file (added)`),
  ];
  return [
    bad.length ? { check: 'hashes', status: 'FAIL', message: listed(bad) } : { check: 'hashes', status: 'ok', message: `${count(good, 'file')} ${good === 1 ? 'matches' : 'match'} SHA256SUMS` },
    missing.length ? { check: 'missing', status: 'FAIL', message: listed(missing) } : { check: 'missing', status: 'ok', message: 'no listed file is missing' },
    added.length ? { check: 'added', status: 'FAIL', message: listed(added) } : { check: 'added', status: 'ok', message: 'no file outside SHA256SUMS but SHA256SUMS and the signature files' },
  ];
}

/** What validation.json says about the signature (a bundle cannot lose its signature unnoticed). */
function declaredSignature(dir: string): { signed: boolean; keyid: string | null } | null {
  const text = readText(dir, 'validation.json');
  if (text === null) return null;
  try {
    const sig = (JSON.parse(text) as { signature?: { status?: string; keyid?: string } }).signature;
    if (!sig) return null;
    return { signed: sig.status === 'signed', keyid: sig.keyid ?? null };
  } catch {
    return null;
  }
}

interface SignatureCheck {
  line: CheckLine;
  statement: Statement | null;
  trust: Trust;
  signer: string | null;
  /** Where the key that verified came from (a pin), for the signer line. */
  pinSource: string | null;
}

function checkSignature(dir: string, pins: PinnedKey[]): SignatureCheck {
  const check = 'signature';
  const declared = declaredSignature(dir);
  const envText = readText(dir, ENVELOPE_FILE);
  const fail = (message: string): SignatureCheck => ({ line: { check, status: 'FAIL', message }, statement: null, trust: 'unsigned', signer: null, pinSource: null });
  if (envText === null) {
    if (declared?.signed) return fail(`${ENVELOPE_FILE} is missing, but validation.json says the bundle was signed (keyid ${declared.keyid ?? '?'}): signature removed`);
    if (pins.length > 0) return fail(`${ENVELOPE_FILE} is missing: the bundle is not signed, and a signer was pinned`);
    return { line: { check, status: 'skip', message: 'unsigned bundle (validation.json says "unsigned"); only SHA256SUMS protects it' }, statement: null, trust: 'unsigned', signer: null, pinSource: null };
  }
  if (declared && !declared.signed) return fail(`${ENVELOPE_FILE} is present, but validation.json says the bundle is unsigned: signature added`);
  const shippedPem = readText(dir, PUBLIC_KEY_FILE);
  let shipped: KeyObject | null = null;
  try {
    if (shippedPem !== null) shipped = parsePublicKey(shippedPem, PUBLIC_KEY_FILE);
  } catch (e) {
    return fail((e as Error).message);
  }
  let used: { key: KeyObject; source: string | null; what: string } | null = null;
  let problem = '';
  if (pins.length > 0) {
    for (const p of pins) {
      const r = verifyEnvelope(envText, p.key);
      if (r.ok) {
        used = { key: p.key, source: p.source, what: `the pinned key (${p.source})` };
        break;
      }
      problem = r.problem;
    }
    if (!used) {
      const by = shipped ? `; it ships ${PUBLIC_KEY_FILE} with keyid ${keyIdOf(shipped)}, which is not pinned` : '';
      return fail(`${ENVELOPE_FILE}: ${problem} (no pinned key verifies it: ${pins.map((p) => `keyid ${keyIdOf(p.key)} from ${p.source}`).join(', ')}${by})`);
    }
    // the shipped key authenticates nothing, but a signed bundle ships its signer's: another one was put there
    if (shipped === null) return fail(`${PUBLIC_KEY_FILE} is missing from a signed bundle: removed`);
    if (keyIdOf(shipped) !== keyIdOf(used.key)) return fail(`${PUBLIC_KEY_FILE} (keyid ${keyIdOf(shipped)}) is not the key that signed (keyid ${keyIdOf(used.key)}): the shipped key was replaced`);
  } else {
    if (shipped === null) return fail(`${PUBLIC_KEY_FILE} is missing and no signer was pinned (--pubkey or --trust)`);
    used = { key: shipped, source: null, what: `${PUBLIC_KEY_FILE} shipped in the bundle` };
  }
  const r = verifyEnvelope(envText, used.key);
  if (!r.ok) return fail(`${ENVELOPE_FILE}: ${r.problem} (${used.what}, keyid ${keyIdOf(used.key)})`);
  const keyid = keyIdOf(used.key);
  if (declared && declared.keyid !== null && declared.keyid !== keyid) return fail(`validation.json names keyid ${declared.keyid}, the signature verifies with keyid ${keyid}`);
  let statement: Statement;
  try {
    statement = JSON.parse(r.body.toString('utf8')) as Statement;
  } catch {
    return fail(`${ENVELOPE_FILE}: the signed payload is not JSON`);
  }
  return {
    line: { check, status: 'ok', message: `Ed25519 signature over the DSSE PAE verifies with ${used.what}, keyid ${keyid}` },
    statement,
    trust: used.source ? 'pinned' : 'unpinned',
    signer: keyid,
    pinSource: used.source,
  };
}

/** The last line: who vouches for the bundle (never "verified" without a pinned signer). */
function signerLine(sig: SignatureCheck, integrityOk: boolean): CheckLine {
  const check = 'signer';
  if (!integrityOk) return { check, status: 'skip', message: 'not judged: an integrity check failed' };
  if (sig.trust === 'pinned') return { check, status: 'ok', message: `authenticated: signed by keyid ${sig.signer} pinned by ${sig.pinSource}` };
  if (sig.trust === 'unpinned') {
    return {
      check,
      status: 'warn',
      message: `NOT authenticated: the signature verifies only with the key the bundle ships (keyid ${sig.signer}); whoever altered the bundle could have re-signed it and shipped their own. Pin the signer: --pubkey FILE or --trust FILE`,
    };
  }
  return { check, status: 'warn', message: 'NOT authenticated: the bundle is unsigned; SHA256SUMS shows it is intact as written, not who wrote it' };
}

/** The signed statement names exactly the SHA256SUMS files, this custody head, this config and these inputs. */
function checkStatement(dir: string, st: Statement | null, entries: SumEntry[]): CheckLine {
  const check = 'statement';
  if (st === null) return { check, status: 'skip', message: 'no verified statement' };
  const problems: string[] = [];
  if (st._type !== STATEMENT_TYPE) problems.push(`_type is ${JSON.stringify(st._type)}`);
  if (st.predicateType !== PREDICATE_TYPE) problems.push(`predicateType is ${JSON.stringify(st.predicateType)}, expected ${PREDICATE_TYPE}`);
  const subjects = new Map((Array.isArray(st.subject) ? st.subject : []).map((s) => [s.name, s.digest?.sha256]));
  const sums = new Map(entries.map((e) => [e.name, e.sha256]));
  for (const [name, sha] of sums) {
    if (!subjects.has(name)) problems.push(`SHA256SUMS lists ${name}, the signed statement does not`);
    else if (subjects.get(name) !== sha) problems.push(`SHA256SUMS gives ${name} another sha256 than the signed statement (SHA256SUMS edited)`);
  }
  for (const name of subjects.keys()) if (!sums.has(name)) problems.push(`the signed statement lists ${name}, SHA256SUMS does not (SHA256SUMS edited)`);
  const custody = readText(dir, 'custody.jsonl');
  if (custody !== null && st.predicate?.custody_head !== headHash(custody.split('\n').filter((l) => l.length > 0))) {
    problems.push('custody.jsonl head hash differs from the signed custody_head');
  }
  const config = readText(dir, 'case.yaml');
  if (config !== null && st.predicate?.config_sha256 !== sha256Hex(config)) problems.push('case.yaml sha256 differs from the signed config_sha256');
  const manifest = readText(dir, 'manifest.json');
  if (manifest !== null) {
    try {
      const inputs = (JSON.parse(manifest) as { inputs: { evidence_file_id: string; sha256: string }[] }).inputs;
      const signed = new Map((st.predicate?.inputs ?? []).map((i) => [i.evidence_file_id, i.sha256]));
      const differ = inputs.filter((i) => signed.get(i.evidence_file_id) !== i.sha256).map((i) => i.evidence_file_id);
      if (differ.length > 0 || inputs.length !== signed.size) problems.push(`manifest.json inputs differ from the signed inputs (${differ.slice(0, MAX_NAMED).join(', ') || 'count'})`);
    } catch {
      problems.push('manifest.json is not JSON');
    }
  }
  return problems.length
    ? { check, status: 'FAIL', message: listed(problems) }
    : { check, status: 'ok', message: `subjects are exactly the ${entries.length} SHA256SUMS files; custody head, config and ${st.predicate.inputs.length} inputs match` };
}

function checkCustody(dir: string): CheckLine {
  const text = readText(dir, 'custody.jsonl');
  if (text === null) return { check: 'custody', status: 'FAIL', message: 'custody.jsonl is missing' };
  const lines = text.split('\n').filter((l) => l.length > 0);
  const problems = verifyChain(lines).map((x) => `custody.jsonl: ${x}`);
  if (problems.length === 0) problems.push(...uncoveredManifestInputs(dir, lines));
  return problems.length
    ? { check: 'custody', status: 'FAIL', message: listed(problems) }
    : { check: 'custody', status: 'ok', message: `${lines.length} entries, hash chain intact, head ${headHash(lines)}` };
}

/** Inputs of manifest.json the custody log does not cover (no acquisition or landing entry). */
function uncoveredManifestInputs(dir: string, lines: string[]): string[] {
  const manifest = readText(dir, 'manifest.json');
  if (manifest === null) return [];
  try {
    const inputs = (JSON.parse(manifest) as { inputs: CoveredInput[] }).inputs;
    return uncoveredInputs(lines.map((l) => JSON.parse(l) as CustodyEntry), inputs).map((x) => `custody.jsonl does not cover manifest input ${x}`);
  } catch {
    return [];
  }
}

/** timeline.jsonl is one total order: (ts, source, row_id) strictly increasing, every line JSON. */
async function checkTimeline(dir: string): Promise<CheckLine> {
  const check = 'timeline';
  const file = path.join(dir, 'timeline.jsonl');
  if (!existsSync(file)) return { check, status: 'FAIL', message: 'timeline.jsonl is missing' };
  let prev: string[] | null = null;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
    n++;
    let e: { ts?: unknown; source?: unknown; row_id?: unknown };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      return { check, status: 'FAIL', message: `timeline.jsonl line ${n}: not JSON` };
    }
    const key = [String(e.ts), String(e.source), String(e.row_id)];
    if (prev) {
      const cmp = prev[0]! !== key[0]! ? (prev[0]! < key[0]! ? -1 : 1) : prev[1]! !== key[1]! ? (prev[1]! < key[1]! ? -1 : 1) : prev[2]! < key[2]! ? -1 : prev[2]! === key[2]! ? 0 : 1;
      if (cmp >= 0) return { check, status: 'FAIL', message: `timeline.jsonl line ${n} (${key.join(' ')}) is out of order after line ${n - 1} (${prev.join(' ')}): timeline reordered` };
    }
    prev = key;
  }
  return { check, status: 'ok', message: `${count(n, 'event')} in one order (ts, source, row_id)` };
}

/**
 * `podtrail verify`: offline checks of a bundle, one line each: SHA256SUMS, every hash, no file
 * missing or added, the DSSE signature, the signed statement against SHA256SUMS and the bundle,
 * the custody chain, the timeline's order; then who signed it. A signature is only as good as the
 * key it is checked with: the key a bundle ships authenticates nothing (anyone re-signing it ships
 * theirs), so the signer is authenticated only by a key the reviewer pinned (sigstore's rule).
 */
export async function verifyBundle(dir: string, o: VerifyOptions = {}): Promise<VerifyResult> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);
  const pins = pinnedKeys(o);
  const checks: CheckLine[] = [];
  const sumsText = readText(dir, SHA256SUMS);
  let entries: SumEntry[] = [];
  if (sumsText === null) checks.push({ check: 'SHA256SUMS', status: 'FAIL', message: 'SHA256SUMS is missing' });
  else {
    const parsed = parseSha256Sums(sumsText);
    entries = parsed.entries;
    checks.push(parsed.problems.length
      ? { check: 'SHA256SUMS', status: 'FAIL', message: listed(parsed.problems) }
      : { check: 'SHA256SUMS', status: 'ok', message: `${entries.length} entries, GNU format, byte order` });
  }
  checks.push(...(await checkFiles(dir, entries)));
  const sig = checkSignature(dir, pins);
  checks.push(sig.line);
  checks.push(checkStatement(dir, sig.statement, entries));
  checks.push(checkCustody(dir));
  checks.push(await checkTimeline(dir));
  const ok = checks.every((c) => c.status !== 'FAIL');
  checks.push(signerLine(sig, ok));
  return { checks, ok, trust: ok ? sig.trust : 'unsigned', signer: ok ? sig.signer : null };
}

export function formatCheck(c: CheckLine): string {
  return termLine(`${c.status.padEnd(4)}  ${c.check}: ${c.message}`);
}
