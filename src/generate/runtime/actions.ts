import type { Node, Proc } from '../model.js';
import type { Ns } from '../ns-time.js';
import type { World } from '../world.js';
import { connectLine, execLine, exitLine, type SockArg } from '../emit/tetragon.js';
import { awsApiAlert, imdsAlert, outboundAlert, shellAlert } from '../emit/falco.js';
import { socketCookie } from '../ids.js';
import { newProc, type ProcOptions } from './processes.js';

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

/** The source address a process's packets carry: its pod IP, or the node IP (host / hostNetwork). */
export function sourceIp(p: Proc): string {
  if (p.pod && !p.pod.workload.hostNetwork) return p.pod.ip;
  return p.node.ip;
}

export type ConnectKind = 'aws' | 'imds' | 'plain';

export function connect(w: World, p: Proc, t: Ns, daddr: string, dport: number, kind: ConnectKind): SockArg {
  const s: SockArg = { saddr: sourceIp(p), daddr, sport: 32768 + w.rng.int(28000), dport, cookie: socketCookie(w.rng) };
  w.runtime.tetragon(p.node, t, connectLine(p, t, s));
  w.ledger.connect(t, p.pod, p.node, daddr);
  if (p.node.falco && p.node.falcoRules === 'every-connect') {
    const tf = t + jitterUs(w, 60);
    w.runtime.falcoAlert(p.node, tf, outboundAlert(p, tf, s));
  } else if (p.container && p.pod && kind !== 'plain') {
    const tf = t + jitterUs(w, 60);
    if (kind === 'imds' && !p.pod.workload.hostNetwork) w.runtime.falcoAlert(p.node, tf, imdsAlert(p, tf, s));
    if (kind === 'aws') w.runtime.falcoAlert(p.node, tf, awsApiAlert(p, tf, s));
  }
  return s;
}
