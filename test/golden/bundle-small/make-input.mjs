// How input/ of the bundle-small golden case was made (run once; the output is committed, so the
// golden does not move when the generator does):
//   node dist/cli/index.js generate --scenario irsa-exfil --seed 1 --scale 0.001 --out /tmp/g001
//   node test/golden/bundle-small/make-input.mjs /tmp/g001 test/golden/bundle-small/input
// It keeps the incident's 35 minutes (09:05-09:40 UTC) of the payments namespace: the audit lines
// of that namespace and of its people, one node's runtime events, two inventory snapshots and the
// CloudTrail records of that span (re-packed into one log file per region, gzip mtime 0).
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import path from 'node:path';

const [src, dst] = process.argv.slice(2);
if (!src || !dst) throw new Error('usage: make-input.mjs GENERATED_CASE OUT_DIR');
if (existsSync(dst) && readdirSync(dst).length > 0) throw new Error(`${dst} is not empty`);
const FROM = Date.parse('2026-10-20T09:05:00Z');
const TO = Date.parse('2026-10-20T09:40:00Z');
const NODE = 'ip-10-0-29-28.us-west-2.compute.internal';
const inWindow = (iso) => iso && Date.parse(iso) >= FROM && Date.parse(iso) < TO;
const write = (rel, data) => {
  const f = path.join(dst, 'inputs', rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, data);
};
const lines = (f) => readFileSync(f, 'utf8').split('\n').filter((l) => l.length > 0);

// kube-audit: payments objects, payments service accounts, people
const audit = [];
const adir = path.join(src, 'inputs', 'kube-audit');
for (const f of readdirSync(adir).sort()) {
  for (const l of lines(path.join(adir, f))) {
    const e = JSON.parse(l);
    const user = e.user?.username ?? '';
    const ns = e.objectRef?.namespace ?? '';
    if (!inWindow(e.requestReceivedTimestamp)) continue;
    if (ns === 'payments' || user.startsWith('system:serviceaccount:payments:') || !user.startsWith('system:')) audit.push(l);
  }
}
write('kube-audit/audit.log', audit.join('\n') + '\n');

// runtime: one node
for (const kind of ['tetragon', 'falco']) {
  const f = path.join(src, 'inputs', kind, `${NODE}.json`);
  if (!existsSync(f)) continue;
  const kept = lines(f).filter((l) => {
    const e = JSON.parse(l);
    const t = kind === 'falco' ? e.time : e.time ?? Object.values(e).find((v) => v && typeof v === 'object' && v.process)?.process?.start_time;
    return inWindow(t);
  });
  write(`${kind}/${NODE}.json`, kept.join('\n') + '\n');
}

// inventory: nodes at 08:50, payments pods at 08:50 and 09:50, payments service accounts at 08:50
const idir = path.join(src, 'inputs', 'inventory');
const list = (f) => JSON.parse(readFileSync(path.join(idir, f), 'utf8'));
const keep = (f, pred) => {
  const l = list(f);
  l.items = l.items.filter(pred);
  write(`inventory/${f}`, JSON.stringify(l, null, 4) + '\n');
};
keep('nodes-2026-10-20T08-50-00Z.json', () => true);
for (const t of ['08-50', '09-50']) keep(`pods-2026-10-20T${t}-00Z.json`, (p) => p.metadata?.namespace === 'payments');
keep('serviceaccounts-2026-10-20T08-50-00Z.json', (s) => s.metadata?.namespace === 'payments');

// cloudtrail: the span's records, one log file per region
const byRegion = new Map();
const walk = (d) => {
  for (const n of readdirSync(d).sort()) {
    const p = path.join(d, n);
    if (n.endsWith('.json.gz')) {
      const region = /CloudTrail\/([a-z0-9-]+)\//.exec(p)[1];
      for (const r of JSON.parse(gunzipSync(readFileSync(p))).Records) {
        if (inWindow(r.eventTime)) byRegion.set(region, [...(byRegion.get(region) ?? []), r]);
      }
    } else if (!n.includes('.')) walk(p);
  }
};
walk(path.join(src, 'inputs', 'cloudtrail'));
for (const [region, records] of [...byRegion.entries()].sort()) {
  records.sort((a, b) => (a.eventTime < b.eventTime ? -1 : a.eventTime > b.eventTime ? 1 : 0));
  const acct = records[0].recipientAccountId;
  write(`cloudtrail/AWSLogs/${acct}/CloudTrail/${region}/2026/10/20/${acct}_CloudTrail_${region}_20261020T0940Z_goldenSmallCase00.json.gz`, gzipSync(JSON.stringify({ Records: records })));
}

// case.yaml: the generator's, with the narrowed window
const yaml = readFileSync(path.join(src, 'case.yaml'), 'utf8')
  .replace(/case_id: .*/, 'case_id: golden-bundle-small')
  .replace(/  from: .*/, '  from: 2026-10-20T09:05:00.000Z')
  .replace(/  to: .*/, '  to: 2026-10-20T09:40:00.000Z')
  .replace(/  reason: .*/, '  reason: "golden bundle test: the irsa-exfil incident (seed 1), 35 minutes of the payments namespace"')
  .replace(/  margin: .*/, '  margin: 5m');
writeFileSync(path.join(dst, 'case.yaml'), yaml);
console.log(`audit ${audit.length} lines, cloudtrail ${[...byRegion.values()].reduce((a, r) => a + r.length, 0)} records`);
