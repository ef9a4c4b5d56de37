import { CASE_SCHEMA, renderCaseConfig, validateCaseConfig } from '../../case/case-config.js';
import { isoSeconds } from '../ns-time.js';
import type { ScenarioSpec } from '../world.js';
import { writeWhole } from '../writer.js';
import { falcoSensorDeclarations } from '../properties/falco-only.js';

/**
 * The generated case's case.yaml, written through the same validation and renderer as
 * `podtrail init`. Clock offsets are never declared: podtrail has to measure them.
 */
export function writeCaseYaml(root: string, spec: ScenarioSpec, seed: number): string {
  const acct = spec.cluster.account;
  const egress = acct.nats.map((nat) => {
    const subnets = acct.subnets.filter((s) => s.nat === nat);
    return {
      label: nat.label,
      public: [nat.publicIp],
      nodes: spec.cluster.nodes.filter((n) => n.subnet.nat === nat).map((n) => n.name).sort(),
      subnets: subnets.map((s) => s.cidr),
    };
  });
  const endpoints = Object.values(acct.services)
    .filter((s) => spec.publicEndpoints === 'declared' || s.route === 'vpce')
    .sort((a, b) => (a.eventSource < b.eventSource ? -1 : a.eventSource > b.eventSource ? 1 : 0))
    .map((s) => ({
      service: s.eventSource,
      // dual stack (property "ipv6"): the interface endpoint's IPv6 addresses, the service's IPv6 range
      addresses: s.route === 'vpce' ? [...Object.values(s.vpceIps), ...Object.values(s.vpceIps6)] : [...s.publicCidrs, ...s.publicCidrs6],
      vpc_endpoint_id: s.vpceId ?? '',
    }));
  const sensors = falcoSensorDeclarations(spec.cluster.nodes);
  const doc = {
    schema: CASE_SCHEMA,
    case_id: `gen-${spec.name}-s${seed}`,
    window: {
      from: isoSeconds(spec.window.from),
      to: isoSeconds(spec.window.to),
      reason: spec.window.reason,
      margin: `${spec.marginS}s`,
    },
    scope: { namespaces: spec.namespaces },
    clock: { tolerance: `${spec.toleranceS}s`, node_offsets: {} },
    egress,
    endpoints,
    gaps: { expected_gap_floor: '5m', expected_gap_ceiling: '30m' },
    ...(sensors.length > 0 ? { sensors } : {}),
  };
  const cfg = validateCaseConfig(doc, `generated case.yaml (${spec.name})`);
  writeWhole(root, 'case.yaml', renderCaseConfig(cfg));
  return 'case.yaml';
}
