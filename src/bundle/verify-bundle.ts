import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
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

export interface CheckLine {
  check: string;
  status: 'ok' | 'FAIL' | 'skip';
  message: string;
}

export interface VerifyOptions {
  /** The signer's public key as the reviewer holds it; without it the bundle's own evidence.pub.pem is used. */
  pubkeyFile?: string | null;
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
    bad.length ? { check: 'hashes', status: 'FAIL', message: listed(bad) } : { check: 'hashes', status: 'ok', message: `${good} files match SHA256SUMS` },
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

function checkSignature(dir: string, o: VerifyOptions): { line: CheckLine; statement: Statement | null } {
  const check = 'signature';
  const declared = declaredSignature(dir);
  const envText = readText(dir, ENVELOPE_FILE);
  if (envText === null) {
    if (o.pubkeyFile) return { line: { check, status: 'FAIL', message: `${ENVELOPE_FILE} is missing: the bundle is not signed, a key was given` }, statement: null };
    if (declared?.signed) return { line: { check, status: 'FAIL', message: `${ENVELOPE_FILE} is missing, but validation.json says the bundle was signed (keyid ${declared.keyid ?? '?'}): signature removed` }, statement: null };
    return { line: { check, status: 'skip', message: 'unsigned bundle (validation.json says "unsigned"); only SHA256SUMS protects it' }, statement: null };
  }
  if (declared && !declared.signed) {
    return { line: { check, status: 'FAIL', message: `${ENVELOPE_FILE} is present, but validation.json says the bundle is unsigned: signature added` }, statement: null };
  }
  let key: KeyObject;
  let keyWhat: string;
  const shippedPem = readText(dir, PUBLIC_KEY_FILE);
  try {
    if (o.pubkeyFile) {
      key = loadPublicKey(o.pubkeyFile);
      keyWhat = `the key in ${o.pubkeyFile}`;
      if (shippedPem !== null) {
        const shipped = parsePublicKey(shippedPem, PUBLIC_KEY_FILE);
        if (keyIdOf(shipped) !== keyIdOf(key)) {
          return { line: { check, status: 'FAIL', message: `${PUBLIC_KEY_FILE} (keyid ${keyIdOf(shipped)}) is not the key given with --pubkey (keyid ${keyIdOf(key)})` }, statement: null };
        }
      }
    } else {
      if (shippedPem === null) return { line: { check, status: 'FAIL', message: `${PUBLIC_KEY_FILE} is missing and no --pubkey was given` }, statement: null };
      key = parsePublicKey(shippedPem, PUBLIC_KEY_FILE);
      keyWhat = `${PUBLIC_KEY_FILE} shipped in the bundle (pass --pubkey to pin the signer)`;
    }
  } catch (e) {
    return { line: { check, status: 'FAIL', message: (e as Error).message }, statement: null };
  }
  const r = verifyEnvelope(envText, key);
  if (!r.ok) return { line: { check, status: 'FAIL', message: `${ENVELOPE_FILE}: ${r.problem} (${keyWhat}, keyid ${keyIdOf(key)})` }, statement: null };
  if (declared && declared.keyid !== null && declared.keyid !== keyIdOf(key)) {
    return { line: { check, status: 'FAIL', message: `validation.json names keyid ${declared.keyid}, the signature verifies with keyid ${keyIdOf(key)}` }, statement: null };
  }
  let statement: Statement;
  try {
    statement = JSON.parse(r.body.toString('utf8')) as Statement;
  } catch {
    return { line: { check, status: 'FAIL', message: `${ENVELOPE_FILE}: the signed payload is not JSON` }, statement: null };
  }
  return { line: { check, status: 'ok', message: `Ed25519 signature over the DSSE PAE verifies with ${keyWhat}, keyid ${keyIdOf(key)}` }, statement };
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
  return { check, status: 'ok', message: `${n} events in one order (ts, source, row_id)` };
}

/**
 * `podtrail verify`: offline checks of a bundle, one line each: SHA256SUMS, every hash, no file
 * missing or added, the DSSE signature, the signed statement against SHA256SUMS and the bundle,
 * the custody chain, the timeline's order.
 */
export async function verifyBundle(dir: string, o: VerifyOptions = {}): Promise<{ checks: CheckLine[]; ok: boolean }> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir}: not a folder`);
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
  const sig = checkSignature(dir, o);
  checks.push(sig.line);
  checks.push(checkStatement(dir, sig.statement, entries));
  checks.push(checkCustody(dir));
  checks.push(await checkTimeline(dir));
  return { checks, ok: checks.every((c) => c.status !== 'FAIL') };
}

export function formatCheck(c: CheckLine): string {
  return `${c.status.padEnd(4)}  ${c.check}: ${c.message}`;
}
