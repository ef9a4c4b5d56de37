import type { ColumnDoc, TableDoc } from './schema.js';

/**
 * The lake table of `podtrail sensor` (deploy, collect, remove): what was deployed and what its
 * silence means, where it ran and where it could not, node clocks, enrichment verifications, log
 * gaps and the proof of removal. It lands from the sensor logs the command writes, through
 * `podtrail ingest` like any evidence file.
 */
const c = (name: string, type: string, doc: string): ColumnDoc => ({ name, type, doc });

export function sensorTables(provenance: ColumnDoc[]): TableDoc[] {
  return [
    {
      name: 'sensor_log',
      kind: 'lake table',
      doc: 'What `podtrail sensor` did and saw (podtrail.sensor/v1 files): the deployment and the filter it deployed (filter_id: what the sensor\'s silence means), a sensor already running and read instead, each node\'s sensor pod or why it has none, node clocks against the API server, enrichment verifications, log gaps, and the removal with its proof. The gaps checks read the nodes, clocks and gaps here.',
      key: ['row_id'],
      columns: [
        ...provenance,
        c('deployment_id', 'VARCHAR', 'The deployment (collect/<deployment_id>/ in the case): sensor-<kind>-<instant>.'),
        c('run', 'INTEGER', 'Run of the deployment folder: 1 is deploy (or the first collect of an existing sensor), later runs are collect and remove.'),
        c('record', 'VARCHAR', 'deployment | existing-sensor | object | node | clock | enrichment | gap | log | removal.'),
        c('logged_at', 'TIMESTAMP', 'Local clock (UTC) when the record was written.'),
        c('sensor', 'VARCHAR', 'tetragon | falco.'),
        c('node_name', 'VARCHAR', 'Node concerned (node, clock, enrichment, gap records).'),
        c('pod_namespace', 'VARCHAR', 'Sensor pod namespace.'),
        c('pod_name', 'VARCHAR', 'Sensor pod name.'),
        c('state', 'VARCHAR', 'deployment: deployed | attached; node: running | no-sensor; gap: possible-loss | not-collected; removal: removed | incomplete; object: created | deleted.'),
        c('reason', 'VARCHAR', 'Why: no-sensor nodes (fargate, windows, untolerated-taint, node-not-ready, unschedulable, image-pull, no-btf, sensor-failing, admission-refused, pod-not-created); gaps (log-rotation-possible, export-rotation-possible, or the failure kind).'),
        c('filter_id', 'VARCHAR', 'deployment, existing-sensor: stable key of the filter or rule set deployed (podtrail-tetragon-tcp-connect/v1, podtrail-falco-outbound-connect/v1; unknown for a sensor podtrail did not deploy). docs/sensor.md lists what each means.'),
        c('alerts_every_outbound_connect', 'BOOLEAN', 'deployment: the sensor emits an event for every outbound connect (pods and host), so a node\'s silence means no connect (short of reported drops); NULL when unknown (a sensor podtrail did not deploy).'),
        c('alerts_every_exec', 'BOOLEAN', 'deployment: the sensor emits an event for every exec; NULL when unknown.'),
        c('sha256', 'VARCHAR', 'deployment: SHA-256 of the manifests deployed; object: of its manifest; removal: of the manifests removed.'),
        c('filter_sha256', 'VARCHAR', 'deployment: SHA-256 of the canonical JSON of the filter (detail.filter).'),
        c('gap_from', 'TIMESTAMP', 'gap: start of the span that may be missing.'),
        c('gap_to', 'TIMESTAMP', 'gap: end of that span.'),
        c('node_time', 'TIMESTAMP_NS', 'clock: the node\'s clock when the report was written (the kubelet\'s timestamp of the line).'),
        c('server_time', 'TIMESTAMP', 'clock: the API server\'s clock at that moment (its Date header, 1 s resolution, plus the local time elapsed since).'),
        c('clock_offset_ms', 'DOUBLE', 'clock: node clock minus API server clock, ms (positive: the node is ahead).'),
        c('clock_uncertainty_ms', 'DOUBLE', 'clock: the ± bound of that offset, ms.'),
        c('timesync', 'VARCHAR', 'clock: synchronized (systemd-timesyncd says so) | not-synchronized | chrony | ntpd (runs; its state is not visible) | unknown.'),
        c('events', 'BIGINT', 'enrichment: exec and connect events of pods on the node.'),
        c('share_pod_uid', 'DOUBLE', 'enrichment: share of them with a pod UID (from the sensor, or resolved by container id or namespace/name/time).'),
        c('share_image_digest', 'DOUBLE', 'enrichment: share with a container image digest.'),
        c('share_service_account', 'DOUBLE', 'enrichment: share whose pod has a known service account (pod_lifecycle).'),
        c('detail', 'JSON', 'Everything else: the filter deployed, the objects and their hashes, the clock report, the removal proof (each final List and its hash).'),
        c('message', 'VARCHAR', 'What happened, in words.'),
      ],
    },
  ];
}
