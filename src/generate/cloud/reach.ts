import type { AwsService, Node, Pod, Proc, Relay } from '../model.js';
import { type Ns, ms, nextSecond } from '../ns-time.js';
import type { World } from '../world.js';
import { connect, sourceIp, sourceIp6 } from '../runtime/actions.js';
import { alive } from '../lifecycle.js';

/**
 * The network path of one AWS request: who sends it, what connect (if any) the node records,
 * and what CloudTrail will say about where it came from. A connect always precedes the eventTime
 * (second precision) by between a few milliseconds and one second. A workload behind a relay
 * (proxy or egress gateway) leaves through the relay: the client's connect goes to the relay, the
 * relay's connect goes out, and CloudTrail sees the relay's address.
 */

export type Caller =
  /** A process we model; `fresh` = a new TCP connection (a connect event), else a kept-alive one. */
  | { kind: 'proc'; proc: Proc; fresh: boolean }
  /** From a node, with no modelled process (nothing at runtime). */
  | { kind: 'quiet'; node: Node; srcIp: string }
  /** From outside the VPC. */
  | { kind: 'external'; ip: string }
  /** AWS itself (a service principal acting on someone's behalf). */
  | { kind: 'aws'; name: string };

export interface Reached {
  eventTime: Ns;
  /** When the request left the process: the next request of the same process starts after it. */
  doneAt: Ns;
  sourceIp: string;
  vpceId: string | null;
  runtimeEvidence: boolean;
  /** The relay pod the request left through, if any. */
  relayPod: Pod | null;
}

function srcOf(caller: Caller): { node: Node | null; ip: string } {
  switch (caller.kind) {
    case 'proc':
      return { node: caller.proc.node, ip: sourceIp(caller.proc) };
    case 'quiet':
      return { node: caller.node, ip: caller.srcIp };
    case 'external':
      return { node: null, ip: caller.ip };
    case 'aws':
      return { node: null, ip: caller.name };
  }
}

/** Where a request from a node goes and what CloudTrail records as its source. */
function route(svc: AwsService, node: Node, srcIp: string, pub: string): { daddr: string; sourceIp: string; vpceId: string | null } {
  if (svc.route === 'vpce') return { daddr: svc.vpceIps[node.subnet.az] ?? pub, sourceIp: srcIp, vpceId: svc.vpceId };
  if (svc.route === 's3-gateway') return { daddr: pub, sourceIp: srcIp, vpceId: svc.vpceId };
  return { daddr: pub, sourceIp: node.subnet.nat.publicIp, vpceId: null };
}

/** A live relay pod for a request at `at` (with its main process), chosen by the events stream. */
function relayPod(w: World, relay: Relay, at: Ns): Pod | null {
  const live = relay.pods.filter((p) => alive(p, at) && p.state.main);
  return live.length === 0 ? null : (live[w.rng.int(live.length)] as Pod);
}

/**
 * Over IPv6 (property "ipv6"): a process with an IPv6 address whose SDK uses dual-stack endpoints
 * reaches a dual-stack interface endpoint at its IPv6 address, or the service's public IPv6 address
 * through the VPC's egress-only internet gateway, which translates nothing: CloudTrail shows the
 * pod's own IPv6 address (its node's for host and hostNetwork processes). S3 stays on its gateway
 * endpoint (IPv4 prefix list here).
 */
function route6(w: World, svc: AwsService, node: Node, src6: string): { daddr: string; sourceIp: string; vpceId: string | null } | null {
  if (svc.route === 'vpce') {
    const e = svc.vpceIps6[node.subnet.az];
    return e ? { daddr: e, sourceIp: src6, vpceId: svc.vpceId } : null;
  }
  if (svc.route === 'nat' && svc.publicIps6.length > 0) return { daddr: svc.publicIps6[w.rng.int(svc.publicIps6.length)] as string, sourceIp: src6, vpceId: null };
  return null;
}

export function reach(w: World, svc: AwsService, caller: Caller, at: Ns): Reached {
  const relay = caller.kind === 'proc' ? caller.proc.pod?.workload.relay ?? null : null;
  const via = relay ? relayPod(w, relay, at) : null;
  if (caller.kind === 'proc' && relay && via) return reachViaRelay(w, svc, caller, relay, via, at);
  const src6 = caller.kind === 'proc' && !relay ? sourceIp6(caller.proc) : null;
  const r6 = src6 && caller.kind === 'proc' ? route6(w, svc, caller.proc.node, src6) : null;
  const src = srcOf(caller);
  let sourceIpAddress = src.ip;
  let vpceId: string | null = null;
  let daddr = svc.publicIps[w.rng.int(svc.publicIps.length)] ?? '52.94.0.1';
  if (src.node && caller.kind !== 'external' && caller.kind !== 'aws') {
    const r = r6 ?? route(svc, src.node, src.ip, daddr);
    daddr = r.daddr;
    sourceIpAddress = r.sourceIp;
    vpceId = r.vpceId;
  }
  let eventTime: Ns;
  let evidence = false;
  if (caller.kind === 'proc' && caller.fresh) {
    const c = at + ms(1 + w.rng.int(25)) + BigInt(w.rng.int(1_000_000));
    connect(w, caller.proc, c, daddr, 443, 'aws');
    eventTime = nextSecond(c);
    evidence = w.runtime.writesConnect(caller.proc.node, caller.proc, 'aws');
  } else {
    eventTime = nextSecond(at);
  }
  const doneAt = eventTime + ms(40 + w.rng.int(400));
  return { eventTime, doneAt, sourceIp: sourceIpAddress, vpceId, runtimeEvidence: evidence, relayPod: null };
}

/**
 * Through a relay. Proxy: the client connects to the proxy (its Service cluster IP or pod IP,
 * port 3128) and sends CONNECT; the proxy connects to the service. Egress gateway: the app
 * connects to the service address as it resolved it, its sidecar intercepts the connection and
 * connects to the gateway pod, the gateway connects to the service. A kept-alive tunnel leaves no
 * connect at all. Runtime evidence: both halves were written (both nodes have a sensor).
 */
function reachViaRelay(w: World, svc: AwsService, caller: { kind: 'proc'; proc: Proc; fresh: boolean }, relay: Relay, via: Pod, at: Ns): Reached {
  const pick = (): string => svc.publicIps[w.rng.int(svc.publicIps.length)] ?? '52.94.0.1';
  const out = route(svc, via.node, via.ip, pick());
  let eventTime: Ns;
  let evidence = false;
  const relayProc = via.state.main as Proc;
  if (caller.fresh) {
    let c = at + ms(1 + w.rng.int(25)) + BigInt(w.rng.int(1_000_000));
    if (relay.kind === 'proxy') {
      connect(w, caller.proc, c, relay.front === 'cluster-ip' ? relay.clusterIp : via.ip, relay.port, 'plain');
    } else {
      const own = route(svc, caller.proc.node, sourceIp(caller.proc), pick());
      connect(w, caller.proc, c, own.daddr, 443, 'aws');
      c += BigInt(200_000 + w.rng.int(800_000));
      connect(w, caller.proc, c, relay.front === 'cluster-ip' ? relay.clusterIp : via.ip, relay.port, 'plain');
    }
    const o = c + ms(1 + w.rng.int(30)) + BigInt(w.rng.int(1_000_000));
    connect(w, relayProc, o, out.daddr, 443, 'aws');
    w.ledger.chain(c, caller.proc.pod, caller.proc.node, sourceIp(caller.proc), svc.eventSource);
    eventTime = nextSecond(o);
    evidence =
      (relay.kind === 'proxy' || w.runtime.writesConnect(caller.proc.node, caller.proc, 'aws')) &&
      w.runtime.writesConnect(caller.proc.node, caller.proc, 'plain') &&
      w.runtime.writesConnect(via.node, relayProc, 'aws');
  } else {
    eventTime = nextSecond(at);
  }
  const doneAt = eventTime + ms(40 + w.rng.int(400));
  return { eventTime, doneAt, sourceIp: out.sourceIp, vpceId: out.vpceId, runtimeEvidence: evidence, relayPod: via };
}
