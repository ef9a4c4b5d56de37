import type { Node } from '../model.js';
import type { NodeOptions } from '../cluster-builder.js';
import type { SensorEntry } from '../../case/case-schema.js';

/**
 * Property "Falco-only nodes": a node runs Falco and no Tetragon. Falco writes a connect only where
 * one of its rules matches: with the stock rules, a container's connect to an AWS API address or
 * (outside hostNetwork) to the metadata service; with a rule set that alerts on every outbound
 * connect, every connect of every process, host ones included. The analyst knows the second kind
 * only because case.yaml declares it (`sensors:` with alerts_every_outbound_connect: true); the
 * stock rule set is undeclared, so its silence proves nothing and the node stays unobservable.
 */

export type FalcoRules = 'stock' | 'every-connect';

/** The node options of a Falco-only node with this rule set. */
export function falcoOnly(o: NodeOptions, rules: FalcoRules): NodeOptions {
  return { ...o, sensor: null, falco: true, falcoRules: rules };
}

/** A Falco-only node (for the eval's per-property recall). */
export function isFalcoOnly(n: Node): boolean {
  return n.sensor === null && n.falco;
}

/** case.yaml's declaration of the nodes whose Falco rules alert on every outbound connect (none: no entry). */
export function falcoSensorDeclarations(nodes: Node[]): SensorEntry[] {
  const every = nodes.filter((n) => n.falco && n.falcoRules === 'every-connect').map((n) => n.name).sort();
  return every.length === 0 ? [] : [{ kind: 'falco', nodes: every, alerts_every_outbound_connect: true } as SensorEntry];
}
