import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateScenario } from '../generate/generate.js';
import { ingestCase } from '../ingest/ingest-case.js';
import { createClock } from '../core/clock.js';
import { CliError } from '../core/errors.js';
import { termLine } from '../output/terminal-text.js';
import { keyPairFromSeed, publicKeyPem } from '../bundle/keys.js';
import { signerFromPair, type BundleResult } from '../bundle/bundle-case.js';
import { runCase } from './run-case.js';
import { verifyBundle, type CheckLine } from '../bundle/verify-bundle.js';
import { count, toProgress, type ProgressLike } from '../core/progress.js';

/**
 * The demo's fixed parameters. The clock is pinned and the signing key is derived from a published
 * seed (it is NOT SECRET: it only makes the demo's signed bundle byte-identical on every machine).
 */
export const DEMO = {
  scenario: 'irsa-exfil',
  seed: 1,
  scale: 0.05,
  asOf: '2026-10-20T12:00:00Z',
  operator: 'podtrail-demo',
  keySeedText: 'podtrail demo signing key - published, NOT SECRET',
  defaultDir: 'podtrail-demo',
} as const;

/** The demo's public key, written beside the case for `verify --pubkey` (published, like its seed). */
export const DEMO_SIGNER_FILE = 'demo-signer.pub.pem';

export function demoKeyPair(): ReturnType<typeof keyPairFromSeed> {
  return keyPairFromSeed(createHash('sha256').update(DEMO.keySeedText).digest());
}

export interface DemoResult {
  caseDir: string;
  bundle: BundleResult;
  checks: CheckLine[];
  verified: boolean;
  summary: string[];
}

interface Truth {
  incident?: { pod_uid?: string; service_account?: string; human?: string | null };
}

/** `podtrail demo`: generate the irsa-exfil case (inputs inside it), ingest, run, verify, summarize. */
export async function runDemo(o: { outDir?: string | null; log?: ProgressLike }): Promise<DemoResult> {
  const progress = toProgress(o.log);
  const dir = path.resolve(o.outDir ?? DEMO.defaultDir);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} is not empty: give --out NEW_DIR, or remove it`);
  const clock = createClock(DEMO.asOf);
  progress.begin(`generating scenario ${DEMO.scenario} (seed ${DEMO.seed}, scale ${DEMO.scale})`);
  const g = generateScenario({ scenario: DEMO.scenario, seed: DEMO.seed, scale: DEMO.scale, outDir: dir, onProgress: (done, total) => progress.tick(done, `${total} steps`) });
  progress.end(`generated ${DEMO.scenario} in ${dir}: ${count(g.files.length, 'file')}`);
  await ingestCase({ caseDir: dir, paths: [path.join(dir, 'inputs')], source: null, operator: DEMO.operator, snapshotAt: null, clock, log: (l) => progress.note(l), progress });
  const bundle = await runCase({ caseDir: dir, outDir: path.join(dir, 'bundle'), signer: signerFromPair(demoKeyPair()), clock, operator: DEMO.operator, log: progress });
  progress.begin('verifying the bundle, with the published demo key pinned');
  const signerPub = path.join(dir, DEMO_SIGNER_FILE);
  writeFileSync(signerPub, publicKeyPem(demoKeyPair().publicKey));
  const v = await verifyBundle(bundle.outDir, { pinned: [{ key: demoKeyPair().publicKey, source: 'podtrail demo (the published demo key)' }] });
  progress.end(`verified the bundle: ${count(v.checks.filter((c) => c.status === 'ok').length, 'check')} ok`);
  const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as Truth;
  return { caseDir: dir, bundle, checks: v.checks, verified: v.ok && v.trust === 'pinned', summary: demoSummary(dir, bundle, v.checks, truth) };
}

const t = termLine;

/** The printed summary: which pod, which identity and binding, which session made which calls, which gaps. */
export function demoSummary(dir: string, b: BundleResult, checks: CheckLine[], truth: Truth): string[] {
  const m = b.model;
  const rel = path.relative(process.cwd(), dir) || '.';
  const out: string[] = [];
  out.push(`podtrail demo: scenario ${DEMO.scenario} (seed ${DEMO.seed}, scale ${DEMO.scale}), clock pinned at ${DEMO.asOf}`);
  out.push(`case      ${rel} (${count(m.input_totals.files, 'evidence file')}, ${count(m.input_totals.records_landed, 'record')}, ${count(m.timeline_events, 'timeline event')})`);
  const f = m.findings.find((x) => x.pod !== null);
  const pod = f?.pod;
  if (!f || !pod) out.push('pod       no pod needs attention: every signal is routine or there is none');
  else {
    out.push(`pod       ${t(pod.namespace)}/${t(pod.name)} uid ${t(pod.pod_uid)} on ${t(pod.node)} (finding ${f.rank} of ${m.answer_total}, ${t(f.severity)})`);
    out.push(`image     ${pod.image_digests.map(t).join(', ')}`);
    out.push(`identity  service account ${t(pod.namespace)}/${t(pod.service_account)} -> ${t(pod.binding_path)}${pod.role_arn ? ` -> ${t(pod.role_arn)}` : ''}`);
    for (const h of f.human_actions.filter((x) => x.before_activity)) {
      out.push(`entered   ${t(h.ts)} ${t(h.user)} ${t(h.action)} ${t(h.command)} (audit row ${t(h.row_id)})`);
    }
    f.sessions.forEach((b, i) => {
      const calls = b.calls.map((c) => `${t(c.action)}${c.outcome === 'ok' ? '' : ` (${t(c.outcome)})`}`).join(', ');
      out.push(`${i === 0 ? 'sessions ' : '         '} ${t(b.access_key_id)}: ${calls}`);
    });
    for (const k of f.kube_requests.filter((x) => x.off_pod)) out.push(`token     ${t(k.ts)} ${t(k.request)} from ${t(k.source_ip)} (off the pod; audit row ${t(k.row_id)})`);
    for (const c of f.outside_uses) out.push(`outside   ${t(c.ts)} ${t(c.action)} from ${t(c.source_ip)} with ${t(c.credential)}`);
  }
  out.push(`gaps      ${m.gaps.length} declared${m.gaps.length ? ':' : ''}`);
  for (const g of m.gaps) out.push(`          ${t(g.kind)}: ${t(g.message)}`);
  const failed = checks.filter((c) => c.status === 'FAIL').length;
  out.push(`bundle    ${path.relative(process.cwd(), b.outDir) || '.'}: ${count(b.files.length, 'file')} in SHA256SUMS, ${b.signed ? `signed (keyid ${b.keyid!.slice(0, 16)}...)` : 'unsigned'}; verify: ${checks.filter((c) => c.status === 'ok').length} ok, ${failed} failed`);
  const inc = truth.incident;
  if (inc && f && pod) {
    const same = inc.pod_uid === pod.pod_uid && inc.service_account === pod.service_account && (!inc.human || f.human_actions.some((h) => h.user === inc.human));
    out.push(`truth     ${same ? 'pod, service account and human match truth.json' : 'differs from truth.json'}`);
  }
  out.push(`next      open ${path.join(path.relative(process.cwd(), b.outDir) || '.', 'report.html')}; podtrail verify ${path.relative(process.cwd(), b.outDir) || '.'} --pubkey ${path.join(rel, DEMO_SIGNER_FILE)}`);
  return out;
}
