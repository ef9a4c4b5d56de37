import type { AwsService, Node, Proc } from '../model.js';
import { type Ns, ms, nextSecond } from '../ns-time.js';
import type { World } from '../world.js';
import { connect, sourceIp } from '../runtime/actions.js';

/**
 * The network path of one AWS request: who sends it, what connect (if any) the node records,
 * and what CloudTrail will say about where it came from. A connect always precedes the eventTime
 * (second precision) by between a few milliseconds and one second.
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

export function reach(w: World, svc: AwsService, caller: Caller, at: Ns): Reached {
  const src = srcOf(caller);
  let sourceIpAddress = src.ip;
  let vpceId: string | null = null;
  let daddr = svc.publicIps[w.rng.int(svc.publicIps.length)] ?? '52.94.0.1';
  if (src.node && caller.kind !== 'external' && caller.kind !== 'aws') {
    if (svc.route === 'vpce') {
      daddr = svc.vpceIps[src.node.subnet.az] ?? daddr;
      vpceId = svc.vpceId;
    } else if (svc.route === 's3-gateway') {
      vpceId = svc.vpceId;
    } else {
      sourceIpAddress = src.node.subnet.nat.publicIp;
    }
  }
  let eventTime: Ns;
  let evidence = false;
  if (caller.kind === 'proc' && caller.fresh) {
    const c = at + ms(1 + w.rng.int(25)) + BigInt(w.rng.int(1_000_000));
    connect(w, caller.proc, c, daddr, 443, 'aws');
    eventTime = nextSecond(c);
    evidence = w.runtime.hasSensor(caller.proc.node);
  } else {
    eventTime = nextSecond(at);
  }
  const doneAt = eventTime + ms(40 + w.rng.int(400));
  return { eventTime, doneAt, sourceIp: sourceIpAddress, vpceId, runtimeEvidence: evidence };
}
