/**
 * Falco JSON alerts (json_output: true, json_include_output_property) and podtrail sensor logs
 * (podtrail.sensor/v1), hand-written in the real formats for the correlation tests. Falco's
 * output_fields["evt.time"] is a 19-digit integer above 2^53, so lines are assembled as text.
 */
import type { PodRef } from './handmade.js';

const ns = (iso: string): string => {
  const [whole, frac = ''] = iso.replace('Z', '').split('.');
  return `${BigInt(Date.parse(`${whole}Z`)) / 1000n}${frac.padEnd(9, '0').slice(0, 9)}`;
};

const isoNs = (iso: string): string => {
  const [whole, frac = ''] = iso.replace('Z', '').split('.');
  return `${whole}.${frac.padEnd(9, '0').slice(0, 9)}Z`;
};

function alert(o: { time: string; node: string; rule: string; priority: string; output: string; fields: Record<string, unknown> }): string {
  const fields = JSON.stringify(o.fields).slice(1, -1);
  return (
    `{"hostname":${JSON.stringify(o.node)},"output":${JSON.stringify(o.output)},` +
    `"output_fields":{"evt.time":${ns(o.time)}${fields ? ',' + fields : ''}},` +
    `"priority":${JSON.stringify(o.priority)},"rule":${JSON.stringify(o.rule)},"source":"syscall","tags":["network"],` +
    `"time":${JSON.stringify(isoNs(o.time))}}`
  );
}

const podFields = (pod: PodRef | undefined): Record<string, unknown> => {
  if (!pod) return { 'container.id': 'host' };
  const full = (pod.containerId ?? (pod.uid ?? pod.name).replace(/[^0-9a-f]/g, '').padEnd(64, 'c').slice(0, 64));
  return {
    'container.id': full.slice(0, 12),
    'container.full_id': full,
    'container.name': 'app',
    'k8s.ns.name': pod.namespace,
    'k8s.pod.name': pod.name,
    ...(pod.uid ? { 'k8s.pod.uid': pod.uid } : {}),
  };
};

/** An outbound connect alert of a rule that fires on every outbound connect. */
export function falcoConnect(o: { time: string; node: string; cip: string; sip: string; sport?: number; pod?: PodRef; pid?: number }): string {
  const cport = 40000 + (Date.parse(o.time) % 20000);
  const sport = o.sport ?? 443;
  const v6 = o.sip.includes(':');
  const name = v6 ? `[${o.cip}]:${cport}->[${o.sip}]:${sport}` : `${o.cip}:${cport}->${o.sip}:${sport}`;
  return alert({
    time: o.time,
    node: o.node,
    rule: 'Outbound connection',
    priority: 'Notice',
    output: `Outbound connection (connection=${name} evt_type=connect process=aws)`,
    fields: {
      'evt.type': 'connect',
      'fd.cip': o.cip,
      'fd.cport': cport,
      'fd.sip': o.sip,
      'fd.sport': sport,
      'fd.l4proto': 'tcp',
      'fd.name': name,
      'proc.cmdline': 'aws sts get-caller-identity',
      'proc.exepath': '/usr/local/bin/aws',
      'proc.name': 'aws',
      'proc.pid': o.pid ?? 4000 + (Date.parse(o.time) % 1000),
      ...podFields(o.pod),
    },
  });
}

/** A host process's outbound connect every `everySeconds` over [from, to): what keeps an every-connect rule set talking. */
export function falcoHeartbeat(node: string, nodeIp: string, from: string, to: string, everySeconds = 60): string[] {
  const out: string[] = [];
  for (let t = Date.parse(from); t < Date.parse(to); t += everySeconds * 1000) {
    out.push(falcoConnect({ time: new Date(t).toISOString(), node, cip: nodeIp, sip: '10.0.0.2', sport: 53 }));
  }
  return out;
}

/** podtrail.sensor/v1 lines of a Falco deployment: the deployment (its filter) and a running sensor pod per node. */
export function falcoSensorLog(o: { deploymentId: string; at: string; nodes: string[]; everyConnect: boolean | null }): string[] {
  const base = { format: 'podtrail.sensor/v1', deployment_id: o.deploymentId, run: 1, sensor: 'falco' };
  return [
    JSON.stringify({
      ...base,
      record: 'deployment',
      at: o.at,
      state: 'deployed',
      filter_id: o.everyConnect ? 'podtrail-falco-outbound-connect/v1' : 'unknown',
      alerts_every_outbound_connect: o.everyConnect,
      alerts_every_exec: o.everyConnect,
      message: 'falco deployed',
    }),
    ...o.nodes.map((n, i) => JSON.stringify({ ...base, record: 'node', at: o.at, node: n, state: 'running', pod_namespace: 'podtrail', pod_name: `podtrail-falco-${i}` })),
  ];
}
