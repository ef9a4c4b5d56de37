import type { Node, Pod } from './model.js';
import type { Ns } from './ns-time.js';
import { NS_PER_MS } from './ns-time.js';
import type { World } from './world.js';
import type { CallRec, ConnectRec } from './ledger.js';
import type { CloudTruth } from './truth.js';
import { alive } from './lifecycle.js';
import { isFalcoOnly } from './properties/falco-only.js';
import { betweenSnapshots } from './properties/between-snapshots.js';

/**
 * Which pod-made calls the evidence the generator wrote decides, and why the others cannot be
 * decided: computed from the ledger of what was written (connects, calls, sensors), never from
 * podtrail. The model of a careful analyst:
 *   pod-identity-tag  the Pod Identity session tag of the key's issuing call names the pod, and the
 *                     call came from an address of that pod (its IP, its node's, its NAT, its relay);
 *   source-ip         the call came from the pod's own IP (a VPC endpoint), the pod no relay;
 *   runtime-connect   a connect for the call was written (both halves through a relay), and no other
 *                     pod that could have made it (the service account's, the node's, the pods behind
 *                     the source) could have done so unseen: its node observed, no connect of its
 *                     own to the service in the call's window or the 120 s before, and through a NAT
 *                     to AWS's public addresses with no endpoint declared, no connect to any AWS
 *                     address in the window;
 *   single-pod        IRSA or Pod Identity, the one pod of the service account, the source its own
 *                     IP, its node's or its node's NAT;
 *   carry             another call with the same per-pod key (IRSA, Pod Identity) is decided, and
 *                     this one came from an address of the same pod;
 *   inherit           AWS made the call on the session's behalf, and the call that triggered it is
 *                     decided.
 * A call made with a chained key (issued by AssumeRole called with another key) takes the root
 * key's subject (a Pod Identity tag on the root's issuance names the pod), and is decidable only
 * when every link of its chain (each AssumeRole that issued a key of the chain) is decidable and
 * made by the same pod: never more certain than the weakest link (chain-link-undecidable).
 * A pod no snapshot lists (it lived between two) is known from audit and runtime evidence only:
 * source-ip needs a sensor to have written a connect of the pod from that address, and every
 * other way needs its audit create (service account, node) logged, else pod-unseen.
 * Undecidable reasons: no-runtime-evidence (a kept-alive connection, no connect written),
 * no-sensor (the pod's node has none), competing-connect, competing-keepalive,
 * candidate-unobserved (another candidate's node has no sensor), not-logged.
 */

/** The call's window (the 5 s tolerance, CloudTrail's whole seconds), with half a second more for measured clock offsets. */
const WINDOW_BEFORE = 7_000n * NS_PER_MS;
const WINDOW_AFTER = 6_500n * NS_PER_MS;
const KEEPALIVE = 120_000n * NS_PER_MS;

type Decision = { by: string } | { why: string };

export function markDecidable(w: World): void {
  const L = w.ledger;
  const pods = w.cluster.pods;
  const podBy = new Map(pods.map((p) => [p.uid, p]));
  const relayPods = new Set(w.cluster.relays.flatMap((r) => r.pods.map((p) => p.uid)));
  const observed = (n: Node): boolean => w.runtime.observesConnects(n);
  const connectsOf = new Map<string, ConnectRec[]>();
  for (const c of L.connects) {
    const k = c.pod ? c.pod.uid : `host:${c.node.name}`;
    const list = connectsOf.get(k);
    if (list) list.push(c);
    else connectsOf.set(k, [c]);
  }
  for (const list of connectsOf.values()) list.sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  /** Index of the first connect at or after t (binary search). */
  const firstAt = (list: ConnectRec[], t: Ns): number => {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((list[mid] as ConnectRec).t < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const taggedKeys = new Map<string, string>();
  const issuedBy = new Map<string, CallRec>();
  for (const c of L.calls) {
    if (c.issuedKey && c.taggedPod && c.logged) taggedKeys.set(c.issuedKey, c.taggedPod);
    if (c.issuedKey) issuedBy.set(c.issuedKey, c);
  }
  // a chain is STS's: a key IAM created (CreateAccessKey) is a long-term key of its own
  const STS = 'sts.amazonaws.com';
  /** The first key of a chain: walk back while the key was issued by an STS call made with another key. */
  const rootKey = (k: string): string => {
    let key = k;
    for (let i = 0; i < 8; i++) {
      const iss = issuedBy.get(key);
      if (!iss || !iss.keyId || iss.keyId === key || iss.service !== STS) break;
      key = iss.keyId;
    }
    return key;
  };
  /** The issuing calls of a chained key's links, from the key back to its root. */
  const linksOf = (k: string): CallRec[] => {
    const out: CallRec[] = [];
    let key = k;
    for (let i = 0; i < 8; i++) {
      const iss = issuedBy.get(key);
      if (!iss || !iss.keyId || iss.keyId === key || iss.service !== STS) break;
      out.push(iss);
      key = iss.keyId;
    }
    return out;
  };
  const callsOfKey = new Map<string, CallRec[]>();
  for (const c of L.calls) {
    if (!c.keyId) continue;
    const list = callsOfKey.get(c.keyId);
    if (list) list.push(c);
    else callsOfKey.set(c.keyId, [c]);
  }
  const truthOf = new Map(w.truth.cloudEvents().map((t) => [t.event_id, t]));
  const natOf = (p: Pod): string => p.node.subnet.nat.publicIp;
  /** The pod's own addresses (IPv4 and, on a dual-stack node, IPv6; a hostNetwork pod's are its node's) and its node's. */
  const own = (p: Pod): string[] => [p.ip, p.node.ip, ...(p.ip6 ? [p.ip6] : []), ...(p.node.ip6 ? [p.node.ip6] : [])];
  const fits = (c: CallRec, p: Pod): boolean => c.relayPodUid !== null || own(p).includes(c.source) || (c.throughNat && c.source === natOf(p));
  const rangeMode = w.spec.publicEndpoints === 'undeclared';

  function candidates(c: CallRec, t: CloudTruth, p: Pod): Array<Pod | Node> {
    const at = c.t;
    if (t.path === 'irsa' || t.path === 'pod-identity') {
      const sa = p.workload.sa;
      return pods.filter((q) => q.workload.sa === sa && alive(q, at));
    }
    if (t.path === 'node-role') return [...pods.filter((q) => q.node === p.node && alive(q, at)), p.node];
    // static key: whoever sits behind the source; through a relay, anyone
    if (c.relayPodUid) return pods.filter((q) => alive(q, at));
    if (!c.throughNat) return pods.filter((q) => alive(q, at) && own(q).includes(c.source));
    const behind = pods.filter((q) => alive(q, at) && natOf(q) === c.source);
    return [...behind, ...new Set(behind.map((q) => q.node))];
  }

  function competitor(x: Pod | Node, c: CallRec): string | null {
    const node = 'uid' in x && 'workload' in x ? x.node : x;
    if (!observed(node)) return 'candidate-unobserved';
    const key = 'workload' in x ? x.uid : `host:${(x as Node).name}`;
    const list = connectsOf.get(key) ?? [];
    for (let i = firstAt(list, c.t - WINDOW_BEFORE - KEEPALIVE); i < list.length; i++) {
      const k = list[i] as ConnectRec;
      if (k.t > c.t + WINDOW_AFTER) break;
      const inWindow = k.t >= c.t - WINDOW_BEFORE;
      if (k.service === c.service) return inWindow ? 'competing-connect' : 'competing-keepalive';
      if (inWindow && rangeMode && c.throughNat && !c.relayPodUid && k.aws) return 'competing-connect';
    }
    return null;
  }

  // A pod that lived between two snapshots is known only from audit and runtime evidence: its
  // service account and node from the audit create and binding (lost in an audit gap), its
  // addresses from the connects a sensor wrote.
  const snaps = w.spec.snapshots;
  const inInventory = (p: Pod): boolean => snaps.some((s) => s >= p.startedNs && (p.deletedNs === null || s < p.deletedNs));
  const g = w.spec.gaps;
  const auditLogged = (t: Ns): boolean =>
    !(g.auditSilence && t >= g.auditSilence.from && t < g.auditSilence.to) && !(g.auditRetainedFrom !== null && t < g.auditRetainedFrom);
  const saKnown = (p: Pod): boolean => inInventory(p) || auditLogged(p.createdNs);
  const addrKnown = (p: Pod, addr: string): boolean =>
    inInventory(p) || (w.runtime.anySensor(p.node) && (connectsOf.get(p.uid) ?? []).some((k) => k.saddr === addr));

  function direct(c: CallRec, t: CloudTruth): Decision {
    const p = podBy.get(c.madeBy ?? '');
    if (!p) return { why: 'not-a-pod' };
    const tagged = c.keyId ? taggedKeys.get(rootKey(c.keyId)) : undefined;
    if (tagged === p.uid && fits(c, p)) return { by: 'pod-identity-tag' };
    if ((c.source === p.ip || (p.ip6 !== null && c.source === p.ip6)) && !p.workload.hostNetwork && !c.relayPodUid && !relayPods.has(p.uid) && addrKnown(p, c.source)) return { by: 'source-ip' };
    if (!saKnown(p)) return { why: 'pod-unseen' };
    const cands = candidates(c, t, p);
    if (c.runtimeEvidence) {
      let why: string | null = null;
      for (const x of cands) {
        if (x === p) continue;
        why = competitor(x, c);
        if (why) break;
      }
      if (!why) return { by: c.relayPodUid ? 'relay-connect' : rangeMode && c.throughNat ? 'aws-range-connect' : 'runtime-connect' };
      if ((t.path === 'irsa' || t.path === 'pod-identity') && cands.length === 1 && fits(c, p) && !c.relayPodUid) return { by: 'single-pod' };
      return { why };
    }
    if ((t.path === 'irsa' || t.path === 'pod-identity') && cands.length === 1 && fits(c, p) && !c.relayPodUid) return { by: 'single-pod' };
    return { why: observed(p.node) ? 'no-runtime-evidence' : 'no-sensor' };
  }

  const decisions = new Map<string, Decision>();
  for (const c of L.calls) {
    const t = truthOf.get(c.eventId);
    if (!t || !c.madeBy || c.viaAwsService) continue;
    decisions.set(c.eventId, t.logged ? direct(c, t) : { why: 'not-logged' });
  }
  // carry: per-pod keys (IRSA, Pod Identity) whose other calls are decided, from the same pod's address
  for (const c of L.calls) {
    const t = truthOf.get(c.eventId);
    const d = decisions.get(c.eventId);
    if (!t || !d || 'by' in d || !t.logged || !c.keyId || (t.path !== 'irsa' && t.path !== 'pod-identity')) continue;
    const p = podBy.get(c.madeBy ?? '');
    if (!p || !fits(c, p)) continue;
    const issuer = issuedBy.get(c.keyId);
    const siblings = [...(callsOfKey.get(c.keyId) ?? []), ...(issuer ? [issuer] : [])];
    if (siblings.some((s) => s.eventId !== c.eventId && s.madeBy === p.uid && (decisions.get(s.eventId) as { by?: string } | undefined)?.by)) {
      decisions.set(c.eventId, { by: 'carry' });
    }
  }
  // inherit: AWS's own call on the session's behalf takes its trigger's (same key, within 5 s before)
  for (const c of L.calls) {
    const t = truthOf.get(c.eventId);
    if (!t || !c.madeBy || !c.viaAwsService || c.taggedPod) continue;
    if (!t.logged) {
      decisions.set(c.eventId, { why: 'not-logged' });
      continue;
    }
    const trigger = (callsOfKey.get(c.keyId ?? '') ?? []).find((s) => !s.viaAwsService && s.t <= c.t && c.t - s.t <= 5_000n * NS_PER_MS && s.madeBy === c.madeBy);
    const d = trigger ? decisions.get(trigger.eventId) : undefined;
    decisions.set(c.eventId, d && 'by' in d ? { by: 'inherit' } : { why: d && 'why' in d ? d.why : 'no-trigger' });
  }
  // Pod Identity's own AssumeRole (made by pods.eks for the pod): the tag names the pod
  for (const c of L.calls) {
    const t = truthOf.get(c.eventId);
    if (!t || !c.madeBy || !c.taggedPod) continue;
    decisions.set(c.eventId, t.logged ? { by: 'pod-identity-tag' } : { why: 'not-logged' });
  }

  // the weakest link: a chained call stays decided only when every link is decided, by the same pod
  const chainOrder = [...L.calls].sort((a, b) => (a.t < b.t ? -1 : a.t > b.t ? 1 : 0));
  for (const c of chainOrder) {
    const d = decisions.get(c.eventId);
    if (!d || !('by' in d) || !c.keyId) continue;
    const links = linksOf(c.keyId).filter((l) => l.eventId !== c.eventId);
    if (links.length === 0) continue;
    const ok = links.every((l) => l.madeBy === c.madeBy && (decisions.get(l.eventId) as { by?: string } | undefined)?.by);
    if (!ok) decisions.set(c.eventId, { why: 'chain-link-undecidable' });
  }

  const callBy = new Map(L.calls.map((c) => [c.eventId, c]));
  for (const t of w.truth.cloudEvents()) {
    const c = callBy.get(t.event_id);
    const props: string[] = [];
    if (t.relay_pod_uid) props.push('relay');
    if (c && rangeMode && c.throughNat && !c.relayPodUid) props.push('nat-public');
    if (c && c.keyId && linksOf(c.keyId).some((l) => l.eventId !== c.eventId)) props.push('chained-role');
    const maker = podBy.get(t.made_by_pod_uid ?? '');
    if (maker && isFalcoOnly(maker.node)) props.push('falco-only');
    if (t.source_ip.includes(':')) props.push('ipv6');
    if (maker && betweenSnapshots(maker, w.spec.snapshots)) props.push('between-snapshots');
    t.properties = props.length > 0 ? props : ['plain'];
    const d = decisions.get(t.event_id);
    if (!t.made_by_pod_uid || !d) {
      t.decidable = null;
      t.decidable_by = null;
      t.undecidable_why = null;
      continue;
    }
    t.decidable = 'by' in d;
    t.decidable_by = 'by' in d ? d.by : null;
    t.undecidable_why = 'why' in d ? d.why : null;
  }
}

export type { Ns };
