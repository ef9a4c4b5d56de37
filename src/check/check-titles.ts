/** The gaps checks, in the order validation.json lists them (docs/correlation.md, "Gaps checks: validation.json"). */
export const CHECKS: { id: string; title: string }[] = [
  { id: 'continuity', title: 'Audit continuity: silent intervals per source and per node, and events the sensors report lost' },
  { id: 'coverage', title: 'Retention and coverage: does every source cover the whole window' },
  { id: 'cloudtrail-files', title: 'CloudTrail log files: missing hours, the lookup-events horizon, data events' },
  { id: 'cloudtrail-integrity', title: 'CloudTrail integrity: per hour and region, what the signed digests prove about the log files' },
  { id: 'clock', title: 'Clock drift: per node, measured or declared offsets' },
  { id: 'identity-bindings', title: 'Identity-binding completeness: the binding path of every service account in scope' },
  { id: 'sensor-coverage', title: 'Sensor coverage: every node has runtime events for the time it existed' },
  { id: 'runtime-enrichment', title: 'Runtime enrichment: per node and sensor, the share of exec and connect events of pods with a pod UID, a service account and an image digest' },
  { id: 'egress', title: 'Egress facts: what sits behind each public address, declared, collected and learned side by side; calls from addresses none explains' },
  { id: 'credential-misuse', title: 'Credential misuse: cloud credentials of a pod, a service account or a node used from outside the cluster (credential_misuse), per credential' },
  { id: 'rejects', title: 'Rejected records: counts per file and reason, first locations' },
];

/** Finding kinds that are holes in the evidence (the rest describe structure or limits). */
export const EVIDENCE_GAP_KINDS = new Set([
  'audit-silence',
  'sensor-silence',
  'sensor-drops',
  'retention-before-window',
  'ends-before-window-end',
  'cloudtrail-hour-missing',
  'lookup-events-horizon',
  'no-data-events',
  'no-sensor',
  'sensor-late',
  'clock-offset',
  'source-missing',
  'collection-gap',
  'sensor-not-deployed',
  'sensor-log-gap',
  'node-clock-offset',
]);
