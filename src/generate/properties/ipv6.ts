import type { Node } from '../model.js';
import type { Base } from '../base-cluster.js';
import { Rng } from '../prng.js';
import { v6Text } from '../ipv6.js';

/**
 * Property "IPv6 pods": some nodes are dual stack. The VPC has an Amazon-provided /56 (inside
 * 2600:1f14::/35, AWS's published IPv6 range for the region), each subnet a /64 of it; a dual-stack
 * node holds an IPv6 address of its subnet and a delegated /80 prefix its pods take their IPv6
 * addresses from (VPC CNI prefix mode). The kubelet lists both families (status.podIPs,
 * status.hostIPs, the node's InternalIP addresses), Tetragon writes AF_INET6 sockets, Falco
 * fd.type ipv6 and an inet_ntop fd.name (no brackets). The SDKs use dual-stack endpoints
 * (AWS_USE_DUALSTACK_ENDPOINT): a call to an interface endpoint goes to the endpoint's IPv6
 * address, a call to a public service leaves through the egress-only internet gateway from the
 * pod's own address (the node's for hostNetwork), so CloudTrail's sourceIPAddress is that IPv6
 * address in RFC 5952 notation; S3 stays on its gateway endpoint over IPv4. Pods reach the
 * metadata service at fd00:ec2::254 and the Pod Identity agent at fd00:ec2::23. case.yaml
 * declares the endpoints' IPv6 addresses and the services' IPv6 ranges beside the IPv4 ones.
 * Call ipv6Nodes last in a scenario's build: it gives an address to the pods already placed.
 */
export function ipv6Nodes(base: Base, seed: number, nodes: Node[]): void {
  const rng = Rng.stream(seed, 'ipv6');
  const acct = base.b.account;
  const g2 = rng.range(0x100, 0x1fff);
  const g3 = rng.range(1, 0xfe) << 8;
  const subnetOf = (az: string): number => g3 + Math.max(0, acct.subnets.findIndex((s) => s.az === az));
  const used = new Set<string>();
  const fresh = (groups: number[]): string => {
    const ip = v6Text(groups);
    if (used.has(ip)) throw new Error(`ipv6: ${ip} handed out twice`);
    used.add(ip);
    return ip;
  };
  const r16 = (): number => rng.range(1, 0xffff);
  Object.values(acct.services)
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .forEach((svc, i) => {
      if (svc.route === 'vpce') for (const s of acct.subnets) svc.vpceIps6[s.az] = fresh([0x2600, 0x1f14, g2, subnetOf(s.az), r16(), r16(), r16(), r16()]);
      if (svc.route === 'nat') {
        // the dual-stack endpoint's public addresses (AWS's own /64 per service here)
        const net = [0x2600, 0x1f14, 0xfff, 0xf800 + i];
        svc.publicCidrs6 = [`${v6Text([...net, 0, 0, 0, 0])}/64`];
        svc.publicIps6 = [0, 1].map(() => fresh([...net, r16(), r16(), r16(), r16()]));
      }
    });
  const chosen = new Set(nodes);
  for (const n of nodes) n.ip6 = fresh([0x2600, 0x1f14, g2, subnetOf(n.subnet.az), r16(), r16(), r16(), r16()]);
  const prefix = new Map<Node, { p4: number; next: number }>();
  for (const n of nodes) prefix.set(n, { p4: r16(), next: 3 });
  for (const pod of base.b.cluster.pods) {
    if (!chosen.has(pod.node) || pod.workload.hostNetwork) continue;
    const pr = prefix.get(pod.node) as { p4: number; next: number };
    pod.ip6 = fresh([0x2600, 0x1f14, g2, subnetOf(pod.node.subnet.az), pr.p4, 0, 0, pr.next]);
    pr.next += 1 + rng.int(3);
  }
}

/** A node of the property (for the eval's per-property recall). */
export function isDualStack(n: Node): boolean {
  return n.ip6 !== null;
}
