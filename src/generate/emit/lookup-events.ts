import { type Ns, isoLookup } from '../ns-time.js';
import { ChunkWriter } from '../writer.js';

/**
 * `aws cloudtrail lookup-events` output as the CLI prints it (4-space JSON, pages merged):
 * {"Events":[{EventId, EventName, ReadOnly, AccessKeyId?, EventTime, EventSource, Username?,
 * Resources, CloudTrailEvent}]}, newest first. CloudTrailEvent is the record as a JSON string.
 */

export const LOOKUP_FILE = 'inputs/cloudtrail-lookup/lookup-events.json';

function username(ui: Record<string, unknown>): string | null {
  const type = ui['type'];
  if (type === 'AssumedRole' && typeof ui['arn'] === 'string') return ui['arn'].slice(ui['arn'].lastIndexOf('/') + 1);
  if ((type === 'IAMUser' || type === 'WebIdentityUser') && typeof ui['userName'] === 'string') return ui['userName'];
  return null;
}

function resources(record: Record<string, unknown>): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const creds = (record['responseElements'] as Record<string, unknown> | null)?.['credentials'] as Record<string, string> | undefined;
  const assumed = (record['responseElements'] as Record<string, unknown> | null)?.['assumedRoleUser'] as Record<string, string> | undefined;
  if (creds?.['accessKeyId']) out.push({ ResourceType: 'AWS::IAM::AccessKey', ResourceName: creds['accessKeyId'] });
  if (assumed?.['arn'] && assumed['assumedRoleId']) {
    out.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: assumed['arn'] });
    out.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: assumed['assumedRoleId'] });
    out.push({ ResourceType: 'AWS::STS::AssumedRole', ResourceName: assumed['arn'].slice(assumed['arn'].lastIndexOf('/') + 1) });
  }
  for (const r of (record['resources'] as Array<Record<string, string>> | undefined) ?? []) {
    if (r['ARN'] && r['type']) out.push({ ResourceType: r['type'], ResourceName: r['ARN'] });
  }
  const rp = record['requestParameters'] as Record<string, unknown> | null;
  if (record['eventSource'] === 'eks-auth.amazonaws.com' && typeof rp?.['clusterName'] === 'string') {
    out.push({ ResourceType: 'AWS::EKS::Cluster', ResourceName: rp['clusterName'] });
  }
  if (record['eventSource'] === 'secretsmanager.amazonaws.com' && typeof rp?.['secretId'] === 'string') {
    out.push({ ResourceType: 'AWS::SecretsManager::Secret', ResourceName: rp['secretId'] });
  }
  return out;
}

interface Entry {
  t: Ns;
  head: Record<string, unknown>;
  /** The record's JSON, the same string the S3 file gets (not a copy). */
  json: string;
}

export class LookupOut {
  private readonly entries: Entry[] = [];

  add(record: Record<string, unknown>, json: string, eventTime: Ns): void {
    const ui = record['userIdentity'] as Record<string, unknown>;
    const e: Record<string, unknown> = {
      EventId: record['eventID'],
      EventName: record['eventName'],
      ReadOnly: record['readOnly'] ? 'true' : 'false',
    };
    if (typeof ui['accessKeyId'] === 'string' && ui['accessKeyId']) e['AccessKeyId'] = ui['accessKeyId'];
    e['EventTime'] = isoLookup(eventTime);
    e['EventSource'] = record['eventSource'];
    const user = username(ui);
    if (user) e['Username'] = user;
    e['Resources'] = resources(record);
    this.entries.push({ t: eventTime, head: e, json });
  }

  private render(e: Entry): string {
    return JSON.stringify({ ...e.head, CloudTrailEvent: e.json }, null, 4)
      .split('\n')
      .map((l) => `        ${l}`)
      .join('\n');
  }

  get count(): number {
    return this.entries.length;
  }

  /** Writes the file newest first, the order LookupEvents returns, one entry at a time. */
  close(root: string): string | null {
    if (this.entries.length === 0) return null;
    // Newest first; among events of the same second, the later-recorded one first.
    const order = this.entries.map((_, i) => i).reverse();
    order.sort((a, b) => {
      const ta = (this.entries[a] as Entry).t;
      const tb = (this.entries[b] as Entry).t;
      return ta > tb ? -1 : ta < tb ? 1 : 0;
    });
    const out = new ChunkWriter(root, LOOKUP_FILE);
    out.line('{\n    "Events": [');
    order.forEach((i, k) => out.line(this.render(this.entries[i] as Entry) + (k < order.length - 1 ? ',' : '')));
    out.line('    ]\n}');
    out.close();
    return LOOKUP_FILE;
  }
}
