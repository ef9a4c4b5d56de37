import type { Proc } from '../model.js';
import { type Ns, NS_PER_S, falcoOutputTime, isoNanos } from '../ns-time.js';
import type { SockArg } from './tetragon.js';

/**
 * Falco JSON alerts (json_output + json_include_output_property + tags). Falco serialises with
 * nlohmann::json, so keys come out sorted, at the top level and in output_fields.
 * evt.time is a raw nanosecond integer above 2^53: written as digits from a bigint, never a JS number.
 */

type Field = string | number | { raw: string };

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** comm: the first 15 characters of the executable's name. */
function comm(p: Proc): string {
  return basename(p.binary).slice(0, 15);
}

function renderObject(fields: Record<string, Field>): string {
  const keys = Object.keys(fields).sort();
  const parts = keys.map((k) => {
    const v = fields[k] as Field;
    const val = typeof v === 'object' ? v.raw : JSON.stringify(v);
    return `${JSON.stringify(k)}:${val}`;
  });
  return `{${parts.join(',')}}`;
}

function nodeTime(p: Proc, t: Ns): Ns {
  return t + p.node.clockOffsetNs;
}

function containerFields(p: Proc): Record<string, Field> {
  const c = p.container;
  const pod = p.pod;
  if (!c || !pod) return { 'container.id': 'host', 'container.name': 'host' };
  return {
    'container.id': c.id.slice(0, 12),
    'container.full_id': c.id,
    'container.name': c.spec.name,
    'container.image.repository': c.spec.imageRepo,
    'container.image.tag': c.spec.tag,
    'k8s.ns.name': pod.namespace,
    'k8s.pod.name': pod.name,
    'k8s.pod.uid': pod.uid,
  };
}

function procFields(p: Proc): Record<string, Field> {
  return {
    'proc.name': comm(p),
    'proc.exepath': p.binary,
    'proc.cmdline': `${comm(p)} ${p.args}`.trim(),
    'proc.pid': p.pid,
    'proc.ppid': p.parent?.pid ?? 0,
    'proc.pname': p.parent ? comm(p.parent) : '',
    'proc.tty': p.tty ? 34816 : 0,
    'user.name': p.uid === 0 ? 'root' : `uid${p.uid}`,
    'user.uid': p.uid,
    'user.loginuid': -1,
  };
}

function suffix(f: Record<string, Field>): string {
  const keys = ['container.id', 'container.name', 'container.image.repository', 'container.image.tag', 'k8s.pod.name', 'k8s.ns.name'];
  return keys
    .filter((k) => f[k] !== undefined)
    .map((k) => `${k.replace(/\./g, '_')}=${String(f[k] as string)}`)
    .join(' ');
}

function alert(p: Proc, t: Ns, rule: string, priority: string, tags: string[], text: string, fields: Record<string, Field>): string {
  const nt = nodeTime(p, t);
  const evtTime = (nt / NS_PER_S).toString() + (nt % NS_PER_S).toString().padStart(9, '0');
  fields['evt.time'] = { raw: evtTime };
  const output = `${falcoOutputTime(nt)}: ${priority} ${text} | ${Object.entries(fields)
    .filter(([k]) => !k.startsWith('container.') && !k.startsWith('k8s.') && k !== 'evt.time')
    .map(([k, v]) => `${k.replace(/\./g, '_')}=${typeof v === 'object' ? v.raw : String(v)}`)
    .join(' ')} ${suffix(fields)}`;
  return renderObject({
    hostname: { raw: JSON.stringify(p.node.name) },
    output: { raw: JSON.stringify(output) },
    output_fields: { raw: renderObject(fields) },
    priority: { raw: JSON.stringify(priority) },
    rule: { raw: JSON.stringify(rule) },
    source: { raw: '"syscall"' },
    tags: { raw: JSON.stringify(tags) },
    time: { raw: JSON.stringify(isoNanos(nt)) },
  });
}

export function shellAlert(p: Proc, t: Ns): string {
  const fields: Record<string, Field> = {
    'evt.type': 'execve',
    'evt.arg.flags': 'EXE_WRITABLE|EXE_LOWER_LAYER',
    ...procFields(p),
    ...containerFields(p),
  };
  return alert(p, t, 'Terminal shell in container', 'Notice', ['T1059', 'container', 'maturity_stable', 'mitre_execution', 'shell'], 'A shell was spawned in a container with an attached terminal', fields);
}

function connectFields(p: Proc, s: SockArg): Record<string, Field> {
  return {
    'evt.type': 'connect',
    'fd.name': `${s.saddr}:${s.sport}->${s.daddr}:${s.dport}`,
    'fd.cip': s.saddr,
    'fd.cport': s.sport,
    'fd.sip': s.daddr,
    'fd.sport': s.dport,
    'fd.type': s.saddr.includes(':') ? 'ipv6' : 'ipv4',
    'fd.l4proto': 'tcp',
    ...procFields(p),
    ...containerFields(p),
  };
}

export function imdsAlert(p: Proc, t: Ns, s: SockArg): string {
  return alert(p, t, 'Contact EC2 Instance Metadata Service From Container', 'Notice', ['T1565', 'aws', 'container', 'maturity_incubating', 'mitre_discovery', 'network'], 'Outbound connection to EC2 instance metadata service', connectFields(p, s));
}

export function awsApiAlert(p: Proc, t: Ns, s: SockArg): string {
  return alert(p, t, 'Outbound Connection to AWS API from Container', 'Notice', ['aws', 'container', 'custom', 'network'], 'Outbound connection to an AWS API endpoint', connectFields(p, s));
}

/** A rule set that alerts on every outbound connect (a custom rule on evt.type=connect, host processes included). */
export function outboundAlert(p: Proc, t: Ns, s: SockArg): string {
  return alert(p, t, 'Outbound Connection', 'Notice', ['T1041', 'custom', 'mitre_exfiltration', 'network'], 'Outbound connection', connectFields(p, s));
}
