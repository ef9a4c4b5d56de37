import type { Node, Proc } from '../model.js';
import type { Ns } from '../ns-time.js';
import type { World } from '../world.js';
import { connectLine, execLine, exitLine, type SockArg } from '../emit/tetragon.js';
import { awsApiAlert, imdsAlert, outboundAlert, shellAlert } from '../emit/falco.js';
import { socketCookie } from '../ids.js';
import { newProc, type ProcOptions } from './processes.js';
import { IMDS_IP6, POD_IDENTITY_AGENT_IP6, isV6 } from '../ipv6.js';

/** Runtime primitives: each emits what Tetragon (and Falco, where its rules match) would write. */

export const IMDS_IP = '169.254.169.254';
export const POD_IDENTITY_AGENT_IP = '169.254.170.23';

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Small positive jitter in ns (up to maxUs microseconds), e.g. between two probes of one syscall. */
function jitterUs(w: World, maxUs: number): Ns {
  return BigInt(1 + w.rng.int(maxUs * 1000));
}

/** Sub-millisecond noise, so scripted instants do not fall on whole milliseconds. */
function noise(w: World): Ns {
  return BigInt(w.rng.int(1_000_000));
}

export function spawn(w: World, node: Node, o: ProcOptions): Proc {
  const p = newProc(node, { ...o, startNs: o.startNs + noise(w) });
  const te = p.startNs + jitterUs(w, 40);
  w.runtime.tetragon(node, te, execLine(p, te));
  if (p.tty && p.container && SHELLS.has(basename(p.binary))) {
    const tf = p.startNs + jitterUs(w, 90);
    w.runtime.falcoAlert(node, tf, shellAlert(p, tf));
  }
  return p;
}

export function exit(w: World, p: Proc, at: Ns, status = 0, signal: string | null = null): void {
  let t = at + noise(w);
  if (t <= p.startNs) t = p.startNs + 1000n;
  w.runtime.tetragon(p.node, t, exitLine(p, t, status, signal));
  p.json = null;
}

/** The process's IPv6 address (its pod's, or its node's for host and hostNetwork processes) on a dual-stack node, else null. */
export function sourceIp6(p: Proc): string | null {
  if (p.pod && !p.pod.workload.hostNetwork) return p.pod.ip6;
  return p.node.ip6;
}

/** The source address a process's packets carry: its pod IP, or the node IP (host / hostNetwork); the IPv6 one towards an IPv6 address. */
export function sourceIp(p: Proc, daddr?: string): string {
  if (daddr && isV6(daddr)) {
    const v6 = sourceIp6(p);
    if (!v6) throw new Error(`${p.binary} on ${p.node.name} has no IPv6 address to reach ${daddr}`);
    return v6;
  }
  if (p.pod && !p.pod.workload.hostNetwork) return p.pod.ip;
  return p.node.ip;
}

/** The instance metadata service as the process reaches it: over IPv6 (fd00:ec2::254) from a dual-stack pod. */
export function imdsAddr(p: Proc): string {
  return p.pod && !p.pod.workload.hostNetwork && p.pod.ip6 ? IMDS_IP6 : IMDS_IP;
}

/** The EKS Pod Identity agent as the process reaches it: over IPv6 (fd00:ec2::23) from a dual-stack pod. */
export function agentAddr(p: Proc): string {
  return p.pod && !p.pod.workload.hostNetwork && p.pod.ip6 ? POD_IDENTITY_AGENT_IP6 : POD_IDENTITY_AGENT_IP;
}

export type ConnectKind = 'aws' | 'imds' | 'plain';

export function connect(w: World, p: Proc, t: Ns, daddr: string, dport: number, kind: ConnectKind): SockArg {
  const s: SockArg = { saddr: sourceIp(p, daddr), daddr, sport: 32768 + w.rng.int(28000), dport, cookie: socketCookie(w.rng) };
  w.runtime.tetragon(p.node, t, connectLine(p, t, s));
  w.ledger.connect(t, p.pod, p.node, daddr, s.saddr);
  if (p.node.falco && p.node.falcoRules === 'every-connect') {
    const tf = t + jitterUs(w, 60);
    w.runtime.falcoAlert(p.node, tf, outboundAlert(p, tf, s));
  } else if (p.container && p.pod && kind !== 'plain') {
    const tf = t + jitterUs(w, 60);
    // the stock metadata-service rule matches fd.sip="169.254.169.254" only
    if (kind === 'imds' && !p.pod.workload.hostNetwork && daddr === IMDS_IP) w.runtime.falcoAlert(p.node, tf, imdsAlert(p, tf, s));
    if (kind === 'aws') w.runtime.falcoAlert(p.node, tf, awsApiAlert(p, tf, s));
  }
  return s;
}
