import type { Node, Relay, Workload } from './model.js';
import type { Base } from './base-cluster.js';
import { API_SERVER, container, profile } from './profiles.js';

/**
 * Relays: in-cluster ways out that a scenario can give its cluster (a property, like a node
 * without a sensor). An HTTP CONNECT proxy (squid, in namespace egress) and a mesh egress gateway
 * (istio-system/istio-egressgateway); routeThrough() sends a workload's AWS requests through one.
 * What each request leaves in the evidence is written by cloud/reach.ts.
 */

export interface ProxyOptions {
  nodes: Node[];
  /** How clients address it (default cluster-ip: HTTPS_PROXY names the Service). */
  front?: Relay['front'];
}

function clusterIp(base: Base): string {
  return `172.20.${base.b.rng.range(20, 250)}.${base.b.rng.range(2, 250)}`;
}

export function addProxy(base: Base, o: ProxyOptions): Relay {
  const b = base.b;
  const from = base.span.from;
  const wl = b.addWorkload({
    name: 'squid',
    namespace: 'egress',
    sa: b.addServiceAccount('egress', 'squid', { kind: 'none' }, b.longAgo(from)),
    labels: { 'app.kubernetes.io/name': 'squid', 'app.kubernetes.io/component': 'egress-proxy' },
    containers: [container('squid', 'docker.io/ubuntu/squid', '6.10-24.10_beta', '/usr/sbin/squid', '-N -f /etc/squid/squid.conf', { uid: 13, ports: [3128] })],
    profile: profile({ connectsPerMin: 0.05, peers: [API_SERVER] }),
  });
  const pods = o.nodes.map((n) => b.addPod(wl, { node: n, createdNs: b.longAgo(from) }));
  const relay: Relay = { kind: 'proxy', workload: wl, pods, front: o.front ?? 'cluster-ip', clusterIp: clusterIp(base), port: 3128 };
  b.cluster.relays.push(relay);
  return relay;
}

export function addEgressGateway(base: Base, o: { nodes: Node[] }): Relay {
  const b = base.b;
  const from = base.span.from;
  const wl = b.addWorkload({
    name: 'istio-egressgateway',
    namespace: 'istio-system',
    sa: b.addServiceAccount('istio-system', 'istio-egressgateway', { kind: 'none' }, b.longAgo(from)),
    labels: { app: 'istio-egressgateway', istio: 'egressgateway' },
    containers: [container('istio-proxy', 'docker.io/istio/proxyv2', '1.23.2', '/usr/local/bin/envoy', '-c etc/istio/proxy/envoy-rev.json --drain-time-s 45', { uid: 1337, ports: [8080, 8443] })],
    profile: profile({ connectsPerMin: 0.2, peers: [API_SERVER] }),
  });
  const pods = o.nodes.map((n) => b.addPod(wl, { node: n, createdNs: b.longAgo(from) }));
  // Sidecars reach the gateway's endpoints directly (Envoy balances over endpoint pod IPs).
  const relay: Relay = { kind: 'egress-gateway', workload: wl, pods, front: 'pod-ip', clusterIp: clusterIp(base), port: 8443 };
  b.cluster.relays.push(relay);
  return relay;
}

/** The workloads' AWS requests leave through the relay from now on. */
export function routeThrough(relay: Relay, workloads: Workload[]): void {
  for (const wl of workloads) wl.relay = relay;
}
