import type { Collector, SourceType, UnsupportedFormat } from './types.js';
import { tetragon } from './tetragon/index.js';
import { falco } from './falco/index.js';
import { kubeAudit } from './kube-audit/index.js';
import { inventory } from './inventory/index.js';
import { cloudtrail } from './cloudtrail/index.js';
import { k8sWatch } from './k8s-watch/index.js';
import { collection } from './collection/index.js';
import { sensor } from './sensor/index.js';
import { cloudtrailDigest, cloudtrailObjects, cloudtrailPublicKeys } from './cloudtrail-integrity/index.js';
import { awsIpRanges } from './aws-ip-ranges/index.js';
import { awsInventory } from './aws-inventory/index.js';

type Obj = Record<string, unknown>;

/** Detection order matters only where shapes could overlap; these cannot. */
export const COLLECTORS: readonly Collector[] = [tetragon, falco, kubeAudit, inventory, cloudtrail, k8sWatch, collection, sensor, cloudtrailDigest, cloudtrailObjects, cloudtrailPublicKeys, awsIpRanges, awsInventory];

export function collectorFor(source: SourceType): Collector {
  return COLLECTORS.find((c) => c.source === source)!;
}

/** Formats podtrail recognises but does not land yet: refused, named, nothing landed. */
export const UNSUPPORTED: readonly UnsupportedFormat[] = [
  {
    name: 'Azure Activity Log (not supported yet)',
    detect: (s) => 'operationName' in s && ('caller' in s || 'claims' in s || 'eventTimestamp' in s || 'callerIpAddress' in s || 'resultType' in s),
  },
  {
    name: 'GCP Cloud Audit Log of a service other than k8s.io (not supported yet)',
    detect: (s) => typeof s['protoPayload'] === 'object' && s['protoPayload'] !== null && (s['protoPayload'] as Obj)['serviceName'] !== 'k8s.io',
  },
];
