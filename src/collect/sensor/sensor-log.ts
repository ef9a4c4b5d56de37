import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { canonicalJson } from '../../core/canonical-json.js';

export const SENSOR_LOG_FORMAT = 'podtrail.sensor/v1';

/** What a sensor record is about. */
export type SensorRecordKind = 'deployment' | 'existing-sensor' | 'object' | 'node' | 'clock' | 'enrichment' | 'gap' | 'log' | 'removal';

/** One line of a sensor log (landed into the sensor_log table; fields absent are NULL there). */
export interface SensorRecord {
  record: SensorRecordKind;
  at: string;
  node?: string | null;
  pod_namespace?: string | null;
  pod_name?: string | null;
  state?: string | null;
  reason?: string | null;
  filter_id?: string | null;
  alerts_every_outbound_connect?: boolean | null;
  alerts_every_exec?: boolean | null;
  sha256?: string | null;
  from?: string | null;
  to?: string | null;
  node_time?: string | null;
  server_time?: string | null;
  clock_offset_ms?: number | null;
  clock_uncertainty_ms?: number | null;
  timesync?: string | null;
  events?: number | null;
  share_pod_uid?: number | null;
  share_image_digest?: number | null;
  share_service_account?: number | null;
  detail?: Record<string, unknown> | null;
  message: string;
}

/**
 * The sensor log of one run (podtrail.sensor/v1 JSON lines): the deployment and its filter, each
 * node's sensor pod or why it has none, clock reports, enrichment verifications, log gaps, the
 * removal and its proof. `podtrail ingest` lands it into sensor_log; custody holds the same records.
 */
export class SensorLog {
  private fd: number;
  constructor(
    readonly file: string,
    private readonly deploymentId: string,
    private readonly run: number,
    private readonly sensor: string,
  ) {
    this.fd = openSync(file, 'a');
  }

  append(r: SensorRecord): void {
    writeSync(this.fd, `${canonicalJson({ format: SENSOR_LOG_FORMAT, deployment_id: this.deploymentId, run: this.run, sensor: this.sensor, ...r })}\n`);
  }

  close(): void {
    fsyncSync(this.fd);
    closeSync(this.fd);
  }

  flush(): void {
    fsyncSync(this.fd);
  }
}
