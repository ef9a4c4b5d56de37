import type { AwsService } from '../model.js';
import { type Ns, isoSeconds } from '../ns-time.js';
import type { World } from '../world.js';
import type { TruthPath, WhyNotPod } from '../truth.js';
import { upperAlnum, uuid } from '../ids.js';
import type { Reached } from './reach.js';

/** One CloudTrail record: field order as CloudTrail writes it, then the log policy and the truth. */

export interface RecordFields {
  eventVersion: string;
  userIdentity: Record<string, unknown>;
  svc: AwsService;
  eventName: string;
  reached: Reached;
  userAgent: string;
  errorCode?: string | null;
  errorMessage?: string | null;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData?: Record<string, unknown> | null;
  readOnly: boolean;
  resources?: Array<Record<string, unknown>> | null;
  category: 'Management' | 'Data';
  sharedEventID?: string | null;
  s3Style?: boolean;
  /** Calls made by AWS itself carry no TLS details. */
  tls?: boolean;
}

export interface CallTruth {
  madeBy: string | null;
  path: TruthPath;
  why: WhyNotPod | null;
  incident: boolean;
  play: string | null;
  via?: 'aws-service' | null;
  onBehalf?: string | null;
}

export function buildRecord(w: World, f: RecordFields): Record<string, unknown> {
  const r: Record<string, unknown> = {
    eventVersion: f.eventVersion,
    userIdentity: f.userIdentity,
    eventTime: isoSeconds(f.reached.eventTime),
    eventSource: f.svc.eventSource,
    eventName: f.eventName,
    awsRegion: f.svc.region,
    sourceIPAddress: f.reached.sourceIp,
    userAgent: f.userAgent,
  };
  if (f.errorCode) {
    r['errorCode'] = f.errorCode;
    r['errorMessage'] = f.errorMessage ?? '';
  }
  r['requestParameters'] = f.requestParameters;
  r['responseElements'] = f.errorCode ? null : f.responseElements;
  if (f.additionalEventData) r['additionalEventData'] = f.additionalEventData;
  r['requestID'] = f.s3Style ? upperAlnum(w.rng, 16) : uuid(w.rng);
  r['eventID'] = uuid(w.rng);
  r['readOnly'] = f.readOnly;
  if (f.resources) r['resources'] = f.resources;
  r['eventType'] = 'AwsApiCall';
  r['managementEvent'] = f.category === 'Management';
  r['recipientAccountId'] = w.account.id;
  if (f.reached.vpceId) {
    r['vpcEndpointId'] = f.reached.vpceId;
    r['vpcEndpointAccountId'] = w.account.id;
  }
  if (f.sharedEventID) r['sharedEventID'] = f.sharedEventID;
  r['eventCategory'] = f.category;
  if (f.tls !== false) {
    r['tlsDetails'] = { tlsVersion: 'TLSv1.3', cipherSuite: 'TLS_AES_128_GCM_SHA256', clientProvidedHostHeader: f.svc.host };
  }
  return r;
}

/** Delivers a record where the scenario's trail would have it, and records the truth about it. */
export function emitRecord(w: World, record: Record<string, unknown>, eventTime: Ns, truth: CallTruth, runtimeEvidence: boolean, relayPodUid: string | null = null): string {
  const region = record['awsRegion'] as string;
  const category = record['eventCategory'] as string;
  const g = w.spec.gaps;
  let notLogged: 'cloudtrail-hour-missing' | 'no-data-events' | null = null;
  let inS3 = true;
  if (g.noDataEvents && category === 'Data') {
    inS3 = false;
    notLogged = 'no-data-events';
  } else if (g.cloudtrailMissing && g.cloudtrailMissing.region === region && eventTime >= g.cloudtrailMissing.from && eventTime < g.cloudtrailMissing.to) {
    inS3 = false;
    notLogged = 'cloudtrail-hour-missing';
  }
  const lk = w.spec.lookup;
  const inLookup = region === w.account.region && category === 'Management' && eventTime >= lk.from && eventTime < lk.to;
  const json = JSON.stringify(record);
  if (inS3) w.cloud.push(region, eventTime, json);
  if (inLookup) w.lookup.add(record, json, eventTime);
  const sources: Array<'lookup' | 's3'> = [];
  if (inLookup) sources.push('lookup');
  if (inS3) sources.push('s3');
  const eventId = record['eventID'] as string;
  const ui = record['userIdentity'] as Record<string, unknown>;
  const resp = (record['responseElements'] ?? null) as Record<string, Record<string, unknown>> | null;
  const tags = ((record['requestParameters'] as Record<string, unknown> | null)?.['tags'] ?? []) as Array<{ key: string; value: string }>;
  const source = record['sourceIPAddress'] as string;
  w.ledger.call({
    eventId,
    t: eventTime,
    service: record['eventSource'] as string,
    keyId: (ui['accessKeyId'] as string | undefined) ?? null,
    issuedKey: ((resp?.['credentials']?.['accessKeyId'] ?? resp?.['accessKey']?.['accessKeyId']) as string | undefined) ?? null,
    taggedPod: tags.find((t) => t.key === 'kubernetes-pod-uid')?.value ?? null,
    source,
    madeBy: truth.madeBy,
    relayPodUid,
    runtimeEvidence,
    viaAwsService: (truth.via ?? null) === 'aws-service',
    throughNat: !record['vpcEndpointId'] && /^\d+\.\d+\.\d+\.\d+$/.test(source) && !/^(10\.|172\.(1[6-9]|2[0-9]|3[01])\.|192\.168\.)/.test(source),
    logged: sources.length > 0,
  });
  w.truth.addCloud(
    {
      event_id: eventId,
      event_name: record['eventName'] as string,
      event_source: record['eventSource'] as string,
      event_time: record['eventTime'] as string,
      aws_region: region,
      made_by_pod_uid: truth.madeBy,
      path: truth.path,
      why_not_pod: truth.why,
      via: truth.via ?? null,
      on_behalf_of_pod_uid: truth.onBehalf ?? null,
      source_ip: record['sourceIPAddress'] as string,
      runtime_evidence: runtimeEvidence,
      relay_pod_uid: relayPodUid,
      incident: truth.incident,
      logged: sources.length > 0,
      sources,
      not_logged_why: sources.length > 0 ? null : notLogged,
    },
    truth.incident ? truth.play : null,
  );
  return eventId;
}
