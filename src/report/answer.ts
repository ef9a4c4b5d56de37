import type { Store } from '../store/store.js';
import type { Finding as GapFinding } from '../case/validation-json.js';
import type { ActorRef, AnswerLine } from './model.js';
import { capIds, displayTs, list, n, s } from './format.js';
import { iso } from './sql-text.js';

/** How many findings the answer lists (joins.jsonl and the rpt_ views hold every one). */
export const MAX_ANSWER = 50;

export interface RankedActor {
  rank: number;
  actor_kind: 'pod' | 'node' | 'outside';
  actor_id: string;
  tier: number;
  severity: string;
  named: boolean;
  first_at: string;
  last_at: string;
}

interface FindingRow {
  rank: number;
  actor_kind: RankedActor['actor_kind'];
  actor_id: string;
  tier: number | null;
  severity: string | null;
  named: boolean | null;
  first_at: string | null;
  last_at: string | null;
}

const FINDINGS_SQL = `
select rank, actor_kind, actor_id, tier, severity, named, ${iso('first_at')} as first_at, ${iso('last_at')} as last_at
from rpt_findings
order by rank
limit ${MAX_ANSWER}
`;

const COUNT_SQL = `select count(*)::INTEGER as n from rpt_findings`;

interface WhyRow {
  signal: string | null;
  tier: number | null;
  n: number;
  only_candidate: boolean | null;
  details: string[] | null;
  refs: string[] | null;
}

// per actor and kind of signal: the most severe first, its first details and evidence
const WHY_SQL = `
select
    signal,
    min(tier)::INTEGER as tier,
    count(*)::INTEGER as n,
    bool_and(as_candidate) as only_candidate,
    list(detail order by ts, ref)[1:2] as details,
    list(ref order by ts, ref) as refs
from rpt_signals
where actor_kind = $kind and actor_id = $id and not routine
group by signal
order by tier, min(ts), signal
`;

interface PodLabelRow {
  pod_uid: string;
  label: string | null;
  digests: string[] | null;
  service_account: string | null;
}

const POD_LABELS_SQL = `
select pod_uid, arg_min(namespace || '/' || name, interval_no) as label,
    list_distinct(flatten(list(image_digests order by interval_no))) as digests,
    arg_min(namespace || '/' || service_account, interval_no) as service_account
from pod_lifecycle
where list_contains($uids, pod_uid)
group by pod_uid
`;

interface PodPathRow {
  path: string | null;
  principal: string | null;
  calls: number;
  keys: string[] | null;
}

// how the pod's decided calls reached the cloud: path, role (or user) and keys, most used first
const POD_PATHS_SQL = `
select
    path,
    regexp_replace(principal_arn, '^arn:aws:sts::([0-9]+):assumed-role/([^/]+)/.*$', 'arn:aws:iam::\\1:role/\\2') as principal,
    count(*)::INTEGER as calls,
    list(distinct access_key_id order by access_key_id) filter (where access_key_id is not null) as keys
from rpt_calls
where pod_uid = $uid and confidence in ('proven', 'strong') and path <> 'aws-service' and principal_arn is not null
group by all
order by calls desc, path, principal
limit 3
`;

export async function rankedActors(store: Store): Promise<{ ranked: RankedActor[]; total: number }> {
  const rows = await store.rows<FindingRow>(FINDINGS_SQL);
  const total = n((await store.rows<{ n: number }>(COUNT_SQL))[0]?.n);
  const ranked = rows.map((r) => ({
    rank: n(r.rank),
    actor_kind: r.actor_kind,
    actor_id: s(r.actor_id),
    tier: n(r.tier),
    severity: s(r.severity),
    named: r.named === true,
    first_at: s(r.first_at),
    last_at: s(r.last_at),
  }));
  return { ranked, total };
}

export interface PodLabel {
  label: string;
  digests: string[];
  service_account: string;
}

/** namespace/name, image digests and service account of each pod UID. */
export async function podLabels(store: Store, uids: readonly string[]): Promise<Map<string, PodLabel>> {
  if (uids.length === 0) return new Map();
  const rows = await store.rows<PodLabelRow>(POD_LABELS_SQL, { uids: [...uids] });
  return new Map(rows.map((r) => [s(r.pod_uid), { label: s(r.label), digests: list(r.digests), service_account: s(r.service_account) }]));
}

export function actorRef(kind: RankedActor['actor_kind'], id: string, labels: Map<string, PodLabel>): ActorRef {
  const label = kind === 'pod' ? (labels.get(id)?.label || id) : id;
  return { actor_kind: kind, actor_id: id, label, is_pod: kind === 'pod', is_node: kind === 'node', is_outside: kind === 'outside' };
}

/** Gap findings that weaken an actor: those whose 'weakens' lists one of its events. */
export function weakeningGaps(gaps: readonly GapFinding[], eventIds: ReadonlySet<string>): string[] {
  return gaps.filter((g) => g.weakens.some((e) => eventIds.has(e))).map((g) => g.finding_id);
}

const SIGNAL_WORDS: Record<string, string> = {
  'credential': 'created credentials',
  'credential-used-outside': 'credential used from outside',
  'pod-token-used-outside': 'pod token used from outside',
  'credentials-read': 'read cloud credentials',
  'privilege': 'changed privileges',
  'human-entry': 'entered by a person',
  'secret-read': 'read secrets',
  'data-read': 'read data',
  'data-write': 'wrote data',
  'write': 'changed',
  'denied': 'denied',
  'recon': 'reconnaissance',
  'external-connect': 'connected outside',
};

/** The one line of why: who it is (pods: UID, image, service account, path, principal, keys), then each kind of signal. */
async function whyOf(store: Store, a: RankedActor, labels: Map<string, PodLabel>, gaps: readonly GapFinding[]): Promise<Pick<AnswerLine, 'headline' | 'why' | 'refs' | 'refs_more'> & { gapIds: string[] }> {
  const why: string[] = [];
  const words: string[] = [];
  if (a.actor_kind === 'pod') {
    const l = labels.get(a.actor_id);
    why.push(`UID ${a.actor_id}`);
    if (l?.digests.length) why.push(`image ${l.digests.join(', ')}`);
    const paths = await store.rows<PodPathRow>(POD_PATHS_SQL, { uid: a.actor_id });
    const via = paths.map((p) => {
      const keys = list(p.keys);
      return `${s(p.path)} as ${s(p.principal)}${keys.length ? ` (${keys.length === 1 ? 'key' : `${keys.length} keys`} ${capIds(keys, 3).ids.join(', ')}${keys.length > 3 ? ', ...' : ''})` : ''}`;
    });
    why.push(`service account ${l?.service_account || 'not in the inventory'}${via.length ? `, reaching the cloud by ${via.join('; ')}` : ''}`);
  }
  const rows = await store.rows<WhyRow>(WHY_SQL, { kind: a.actor_kind, id: a.actor_id });
  const refs: string[] = [];
  for (const r of rows) {
    const details = list(r.details);
    const count = n(r.n);
    const word = SIGNAL_WORDS[s(r.signal)] ?? s(r.signal);
    why.push(`${word}${r.only_candidate === true ? ' (as a candidate)' : ''}: ${details.join('; ')}${count > details.length ? ` (+${count - details.length} more)` : ''}`);
    words.push(`${word}${r.only_candidate === true ? ' (as a candidate)' : ''}`);
    refs.push(...list(r.refs));
  }
  why.push(`from ${displayTs(a.first_at)} to ${displayTs(a.last_at)}`);
  const gapIds = weakeningGaps(gaps, new Set(refs));
  if (gapIds.length > 0) why.push(`weakened by ${gapIds.length} declared gap${gapIds.length === 1 ? '' : 's'}: ${gapIds.join(', ')}`);
  const c = capIds([...new Set(refs)]);
  return { headline: words.join(', '), why, refs: c.ids, refs_more: c.more, gapIds };
}

/** The answer: every ranked finding (up to MAX_ANSWER) with its one line of why. */
export async function buildAnswer(store: Store, ranked: readonly RankedActor[], labels: Map<string, PodLabel>, gaps: readonly GapFinding[], detailed: number): Promise<AnswerLine[]> {
  const out: AnswerLine[] = [];
  for (const a of ranked) {
    const w = await whyOf(store, a, labels, gaps);
    out.push({
      ...actorRef(a.actor_kind, a.actor_id, labels),
      rank: a.rank,
      tier: a.tier,
      severity: a.severity,
      sev_class: `sev-${a.severity}`,
      named: a.named,
      headline: w.headline,
      why: w.why,
      first_at: displayTs(a.first_at),
      last_at: displayTs(a.last_at),
      refs: w.refs,
      refs_more: w.refs_more,
      detailed: a.rank <= detailed,
    });
  }
  return out;
}
