import type { Proc } from '../model.js';
import { type Ns, floorSecond, isoProto } from '../ns-time.js';

/**
 * Tetragon JSON export lines (protojson, proto field order, unpopulated fields omitted).
 * Times are the node's clock: true time plus the node's offset. Sensors before v1.6 have no pod.uid.
 */

export interface SockArg {
  saddr: string;
  daddr: string;
  sport: number;
  dport: number;
  cookie: string;
}

const q = JSON.stringify;

function podJson(p: Proc): string | null {
  const pod = p.pod;
  const c = p.container;
  if (!pod || !c) return null;
  const off = p.node.clockOffsetNs;
  const image = `${c.spec.imageRepo}@${c.digest}`;
  const labels: Record<string, string> = { ...pod.workload.labels };
  if (pod.owner.hash) labels['pod-template-hash'] = pod.owner.hash;
  const container =
    `{"id":${q(`containerd://${c.id}`)},"name":${q(c.spec.name)},` +
    `"image":{"id":${q(image)},"name":${q(`${c.spec.imageRepo}:${c.spec.tag}`)}},` +
    `"start_time":${q(isoProto(floorSecond(c.startNs + off)))},"pid":${p.nsPid}` +
    (p.probe ? ',"maybe_exec_probe":true' : '') +
    '}';
  const workloadKind = pod.owner.kind === 'ReplicaSet' ? 'Deployment' : pod.owner.kind === 'Job' ? pod.workload.kind : pod.owner.kind;
  return (
    `{"namespace":${q(pod.namespace)},"name":${q(pod.name)},"container":${container},` +
    `"pod_labels":${q(labels)},"workload":${q(pod.workload.name)},"workload_kind":${q(workloadKind)}` +
    (p.node.sensor === 'v1.6.1' ? `,"uid":${q(pod.uid)}` : '') +
    '}'
  );
}

/** The Process message, rendered once per process and reused by every event that carries it. */
export function processJson(p: Proc): string {
  if (p.json !== null) return p.json;
  const pod = podJson(p);
  const json =
    `{"exec_id":${q(p.execId)},"pid":${p.pid},"uid":${p.uid},"cwd":${q(p.cwd)},"binary":${q(p.binary)},` +
    (p.args ? `"arguments":${q(p.args)},` : '') +
    `"flags":${q(p.flags)},"start_time":${q(isoProto(p.startNs + p.node.clockOffsetNs))},"auid":4294967295,` +
    (pod ? `"pod":${pod},"docker":${q((p.container?.id ?? '').slice(0, 31))},` : '') +
    (p.parent ? `"parent_exec_id":${q(p.parent.execId)},` : '') +
    `"tid":${p.pid}` +
    (p.container && p.nsPid === 1 ? ',"in_init_tree":true' : '') +
    '}';
  p.json = json;
  return json;
}

function envelope(kind: string, body: string, p: Proc, t: Ns): string {
  return `{"${kind}":${body},"node_name":${q(p.node.name)},"time":${q(isoProto(t + p.node.clockOffsetNs))}}`;
}

function withParent(p: Proc): string {
  return `"process":${processJson(p)}` + (p.parent ? `,"parent":${processJson(p.parent)}` : '');
}

export function execLine(p: Proc, t: Ns): string {
  return envelope('process_exec', `{${withParent(p)}}`, p, t);
}

export function exitLine(p: Proc, t: Ns, status: number, signal: string | null): string {
  const body =
    `{${withParent(p)}` +
    (signal ? `,"signal":${q(signal)}` : '') +
    (status !== 0 ? `,"status":${status}` : '') +
    `,"time":${q(isoProto(t + p.node.clockOffsetNs))}}`;
  return envelope('process_exit', body, p, t);
}

export function connectLine(p: Proc, t: Ns, s: SockArg): string {
  const sock =
    `{"family":${s.saddr.includes(':') ? '"AF_INET6"' : '"AF_INET"'},"type":"SOCK_STREAM","protocol":"IPPROTO_TCP","saddr":${q(s.saddr)},"daddr":${q(s.daddr)},` +
    `"sport":${s.sport},"dport":${s.dport},"cookie":${q(s.cookie)},"state":"TCP_SYN_SENT"}`;
  const body =
    `{${withParent(p)},"function_name":"tcp_connect","args":[{"sock_arg":${sock}}],` +
    `"action":"KPROBE_ACTION_POST","policy_name":"podtrail-tcp-connect"}`;
  return envelope('process_kprobe', body, p, t);
}
