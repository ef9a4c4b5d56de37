import type { Account, Node, Pod } from './model.js';
import type { Ns } from './ns-time.js';
import { IPV6_AWS_BLOCKS, NAT_BLOCKS } from './emit/ip-ranges.js';
import { v6Groups, v6Int } from './ipv6.js';

function v4(ip: string): number | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  return m ? ((Number(m[1]) * 256 + Number(m[2])) * 256 + Number(m[3])) * 256 + Number(m[4]) : null;
}

function block(cidr: string): [number, number] {
  const [a, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const lo = Math.floor((v4(a ?? '') ?? 0) / size) * size;
  return [lo, lo + size - 1];
}

function block6(cidr: string): [bigint, bigint] {
  const [a, bits] = cidr.split('/');
  const size = 1n << BigInt(128 - Number(bits));
  const lo = (v6Int(v6Groups(a ?? '') ?? [0, 0, 0, 0, 0, 0, 0, 0]) / size) * size;
  return [lo, lo + size - 1n];
}

/**
 * What the generator wrote as evidence, kept for one purpose: deciding, from that evidence alone,
 * which pod-made calls a careful analyst could pin on their pod (decidable.ts). The connects each
 * process wrote (to a cloud service's address, to any other AWS address, through a relay), and the
 * calls with their credential, source and relay. Never read by the emitters.
 */

export interface ConnectRec {
  t: Ns;
  pod: Pod | null;
  node: Node;
  /** The connect's source address (the pod's IPv4 or IPv6, or its node's). */
  saddr: string;
  /** eventSource of the service whose address it reached (endpoint ENI or public address), else null. */
  service: string | null;
  /** It reached an address of AWS (a service, or anything else in AWS's ranges). */
  aws: boolean;
}

export interface CallRec {
  eventId: string;
  t: Ns;
  service: string;
  keyId: string | null;
  /** The key this call issued (STS), if any. */
  issuedKey: string | null;
  /** Pod Identity: the pod named by the session tags of the issuing call. */
  taggedPod: string | null;
  source: string;
  madeBy: string | null;
  relayPodUid: string | null;
  runtimeEvidence: boolean;
  viaAwsService: boolean;
  /** The request left through a NAT (not a VPC endpoint, not a relay's VPC endpoint). */
  throughNat: boolean;
  logged: boolean;
}

export class EvidenceLedger {
  readonly connects: ConnectRec[] = [];
  readonly calls: CallRec[] = [];
  private readonly serviceOf = new Map<string, string>();
  /** AWS's public ranges as the generated ip-ranges.json lists them (the services', the NATs' EC2 blocks). */
  private readonly awsBlocks: Array<[number, number]> = [];
  private readonly awsBlocks6: Array<[bigint, bigint]> = IPV6_AWS_BLOCKS.map(block6);

  constructor(account: Account) {
    for (const s of Object.values(account.services)) {
      for (const ip of [...Object.values(s.vpceIps), ...s.publicIps, ...Object.values(s.vpceIps6), ...s.publicIps6]) this.serviceOf.set(ip, s.eventSource);
      for (const c of s.publicCidrs) this.awsBlocks.push(block(c));
    }
    for (const c of NAT_BLOCKS) this.awsBlocks.push(block(c));
  }

  connect(t: Ns, pod: Pod | null, node: Node, daddr: string, saddr: string): void {
    const service = this.serviceOf.get(daddr) ?? null;
    const n = v4(daddr);
    const g = n === null ? v6Groups(daddr) : null;
    const n6 = g ? v6Int(g) : null;
    const aws =
      service !== null || (n !== null && this.awsBlocks.some(([lo, hi]) => n >= lo && n <= hi)) || (n6 !== null && this.awsBlocks6.some(([lo, hi]) => n6 >= lo && n6 <= hi));
    if (!aws) return;
    this.connects.push({ t, pod, node, saddr, service, aws });
  }

  /** A client's request carried out by a relay: its chained connect to the service. */
  chain(t: Ns, pod: Pod | null, node: Node, saddr: string, service: string): void {
    this.connects.push({ t, pod, node, saddr, service, aws: true });
  }

  call(c: CallRec): void {
    this.calls.push(c);
  }
}
