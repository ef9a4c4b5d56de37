/** The loopback cluster of the sensor tests: nodes of every kind, a case, and a sensor writing events. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startCluster, TEST_RETRY, INVENTORY, type Cluster } from './k8s-harness.js';
import { SensorCluster } from './sensor-cluster.js';
import { ingest, AS_OF } from '../helpers/case.js';
import { createClock } from '../../src/core/clock.js';
import type { SensorCommandOptions } from '../../src/collect/sensor/sensor-run.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function node(name: string, o: { os?: string; labels?: Record<string, string>; taints?: Obj[]; kernel?: string } = {}): Obj {
  return {
    metadata: { name, labels: { 'kubernetes.io/os': o.os ?? 'linux', 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { providerID: `aws:///us-east-1a/i-0${name.replace(/[^0-9]/g, '').padEnd(16, '0').slice(0, 16)}`, ...(o.taints ? { taints: o.taints } : {}) },
    status: { conditions: [{ type: 'Ready', status: 'True' }], nodeInfo: { kernelVersion: o.kernel ?? '6.1.102-111.182.amzn2023.x86_64', operatingSystem: o.os ?? 'linux' } },
  };
}

export const NODES = {
  a: 'ip-10-0-1-10.ec2.internal',
  b: 'ip-10-0-1-11.ec2.internal',
  btf: 'ip-10-0-1-12.ec2.internal',
  refused: 'ip-10-0-1-13.ec2.internal',
  fargate: 'fargate-ip-10-0-2-20.ec2.internal',
  windows: 'win-10-0-3-30.ec2.internal',
};

/** A pod of the inventory fixture (payments-api: its UID, image digest and service account). */
export const APP = {
  namespace: 'payments',
  name: 'payments-api-7d9c6b5f4-x2x9k',
  uid: '3f6b2c1a-9d4e-4b7a-8e21-5c0d7f9a1b23',
  image: '823571991546.dkr.ecr.us-east-1.amazonaws.com/payments-api@sha256:4f8ad82fab08b18ce51ff96b9d36d8e90241cc4531881412c214b1ce814a5a77',
  container: 'containerd://445296f568abeb5c28bc2af1d257e0b9f0478d659d61bf44c11c3e0875dbb055',
};

let seq = 0;
/** A Tetragon export line of `node`: an exec (or a tcp_connect kprobe) of the payments pod, enriched or not. */
export function tetragonLine(nodeName: string, o: { connect?: boolean; enriched: boolean; at?: number }): string {
  const i = ++seq;
  const t = new Date(o.at ?? Date.now()).toISOString();
  const pod = o.enriched
    ? { namespace: APP.namespace, name: APP.name, uid: APP.uid, container: { id: APP.container, name: 'app', image: { id: APP.image, name: 'payments-api:1.4' } } }
    : { namespace: APP.namespace, name: 'unknown-pod-zz9', container: { id: `containerd://${'e'.repeat(64)}`, name: 'app', image: { name: 'payments-api:1.4' } } };
  const process = { exec_id: Buffer.from(`${nodeName}:${i}:${i}`).toString('base64'), pid: 4000 + i, uid: 0, binary: '/usr/bin/curl', arguments: `https://example.test/${i}`, start_time: t, pod };
  if (o.connect) {
    return JSON.stringify({ process_kprobe: { process, function_name: 'tcp_connect', args: [{ sock_arg: { family: 'AF_INET', type: 'SOCK_STREAM', protocol: 'IPPROTO_TCP', saddr: '10.0.1.77', daddr: '52.94.28.10', sport: 40000 + i, dport: 443 } }], action: 'KPROBE_ACTION_POST', policy_name: 'podtrail-tcp-connect' }, node_name: nodeName, time: t });
  }
  return JSON.stringify({ process_exec: { process }, node_name: nodeName, time: t });
}

export interface SensorEnv {
  c: Cluster;
  sc: SensorCluster;
  opts: (extra?: Partial<SensorCommandOptions>) => SensorCommandOptions;
  logs: string[];
}

/** A loopback cluster with the six nodes, the inventory pods landed in a fresh case. */
export async function startSensorEnv(o: { behaviour?: boolean } = {}): Promise<SensorEnv> {
  const c = await startCluster({ load: false });
  const sc = new SensorCluster(c.api);
  sc.setNodes([
    node(NODES.a),
    node(NODES.b),
    node(NODES.btf, { kernel: '4.14.350-266.564.amzn2.x86_64' }),
    node(NODES.refused),
    node(NODES.fargate, { labels: { 'eks.amazonaws.com/compute-type': 'fargate' } }),
    node(NODES.windows, { os: 'windows', kernel: '10.0.20348.2966' }),
  ]);
  if (o.behaviour !== false) sc.behaviour = { [NODES.btf]: 'no-btf', [NODES.refused]: 'admission-refused' };
  await ingest(c.caseDir, [INVENTORY.pods], { snapshotAt: '2026-10-20T09:50:00Z' });
  void readFileSync;
  void path;
  const logs: string[] = [];
  return {
    c,
    sc,
    logs,
    opts: (extra = {}) => ({
      caseDir: c.caseDir,
      kube: { kubeconfig: c.kubeconfig },
      operator: 'tester',
      clock: createClock(AS_OF),
      log: (l) => logs.push(l),
      timeoutMs: 5000,
      idleMs: 5000,
      retry: TEST_RETRY,
      pollMs: 100,
      ...extra,
    }),
  };
}

/** Writes sensor output into every running sensor pod's logs until stopped: events and clock reports. */
export function runSensor(sc: SensorCluster, o: { events: 'tetragon' | 'falco'; everyMs?: number; clockEveryMs?: number; enrichedOn?: string[] }): { stop: () => void; written: Map<string, string[]> } {
  const written = new Map<string, string[]>();
  const tick = (): void => {
    for (const p of sc.sensorPods()) {
      const ready = p.status?.containerStatuses?.every((c: Obj) => c.ready);
      if (!ready) continue;
      const n = p.spec.nodeName as string;
      const line = tetragonLine(n, { enriched: (o.enrichedOn ?? [NODES.a]).includes(n), connect: (written.get(n)?.length ?? 0) % 2 === 1 });
      sc.writeLog(p.metadata.namespace, p.metadata.name, 'export-stdout', line);
      written.set(n, [...(written.get(n) ?? []), line]);
    }
  };
  const clock = (): void => {
    for (const p of sc.sensorPods()) {
      if (!p.status?.containerStatuses?.every((c: Obj) => c.ready)) continue;
      sc.writeLog(p.metadata.namespace, p.metadata.name, 'podtrail-clock', JSON.stringify({ podtrail: 'node-clock/v1', node: p.spec.nodeName, date: new Date().toISOString().slice(0, 19) + 'Z', timesyncd: true, timesyncd_synchronized_at: 1797000000, chronyd: false, ntpd: false }));
    }
  };
  const t1 = setInterval(tick, o.everyMs ?? 40);
  const t2 = setInterval(clock, o.clockEveryMs ?? 250);
  return {
    written,
    stop: () => {
      clearInterval(t1);
      clearInterval(t2);
    },
  };
}
