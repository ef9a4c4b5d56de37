/**
 * The AWS services of the CloudTrail collection tests, in the shapes of the AWS API references:
 * CloudTrail LookupEvents (newest first, MaxResults 50, NextToken, one LookupAttribute, management
 * events only, the 2 requests per second per account and region enforced with ThrottlingException)
 * and ListPublicKeys; S3 ListObjectsV2 (prefix, delimiter, start-after, continuation token,
 * max-keys), GetObject and HeadObject with x-amz-meta-* user metadata and SSE headers, SSE-KMS
 * objects refused without kms:Decrypt; STS GetCallerIdentity.
 */
import { createHash } from 'node:crypto';
import { json11, json11Error, json11Service, queryService, xmlEscape, type AwsRequest, type AwsResponse, type AwsService } from './aws-server.js';
import { listPublicKeysBody, type TrailKey, type TrailObject } from './trail-fixture.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface CloudTrailState {
  /** CloudTrail records per region (as in a log file). */
  events: Map<string, Obj[]>;
  keys: Map<string, TrailKey[]>;
  /** Requests per second per access key and region LookupEvents accepts (AWS: 2). */
  lookupTps?: number;
}

export function cloudTrailService(s: CloudTrailState): AwsService {
  // AWS rate limits are token buckets: `tps` tokens a second, a burst of `tps`
  const buckets = new Map<string, { tokens: number; at: number }>();
  return json11Service('cloudtrail', {
    LookupEvents: (b, r) => {
      const tps = s.lookupTps ?? 2;
      const k = `${r.accessKeyId}/${r.region}`;
      const tb = buckets.get(k) ?? { tokens: tps, at: r.at };
      tb.tokens = Math.min(tps, tb.tokens + ((r.at - tb.at) / 1000) * tps);
      tb.at = r.at;
      buckets.set(k, tb);
      if (tb.tokens < 1) return json11Error(400, 'ThrottlingException', 'Rate exceeded');
      tb.tokens -= 1;
      const attrs = (b['LookupAttributes'] as { AttributeKey: string; AttributeValue: string }[] | undefined) ?? [];
      if (attrs.length > 1) return json11Error(400, 'InvalidLookupAttributesException', 'You cannot specify more than one lookup attribute.');
      const max = Number(b['MaxResults'] ?? 50);
      if (max < 1 || max > 50) return json11Error(400, 'InvalidMaxResultsException', 'MaxResults must be between 1 and 50.');
      const from = b['StartTime'] === undefined ? -Infinity : Number(b['StartTime']) * 1000;
      const to = b['EndTime'] === undefined ? Infinity : Number(b['EndTime']) * 1000;
      const query = createHash('sha256').update(JSON.stringify([r.region, attrs, b['StartTime'], b['EndTime']])).digest('hex').slice(0, 12);
      let start = 0;
      if (b['NextToken'] !== undefined) {
        const tok = JSON.parse(Buffer.from(String(b['NextToken']), 'base64').toString('utf8')) as { q: string; o: number };
        if (tok.q !== query) return json11Error(400, 'InvalidNextTokenException', 'Invalid NextToken');
        start = tok.o;
      }
      const matching = (s.events.get(r.region) ?? [])
        .filter((e) => e['managementEvent'] !== false)
        .filter((e) => attrs.every((a) => (a.AttributeKey === 'EventSource' ? e['eventSource'] === a.AttributeValue : a.AttributeKey === 'EventName' ? e['eventName'] === a.AttributeValue : true)))
        .filter((e) => Date.parse(e['eventTime']) >= from && Date.parse(e['eventTime']) <= to)
        .sort((a, c) => Date.parse(c['eventTime']) - Date.parse(a['eventTime']) || (a['eventID'] < c['eventID'] ? -1 : 1));
      const page = matching.slice(start, start + max);
      const next = start + page.length < matching.length ? Buffer.from(JSON.stringify({ q: query, o: start + page.length })).toString('base64') : undefined;
      return json11({
        Events: page.map((e) => ({
          EventId: e['eventID'],
          EventName: e['eventName'],
          ReadOnly: String(e['readOnly']),
          AccessKeyId: e['userIdentity']?.['accessKeyId'],
          EventTime: Date.parse(e['eventTime']) / 1000,
          EventSource: e['eventSource'],
          Username: String(e['userIdentity']?.['arn'] ?? '').split('/').pop(),
          Resources: [],
          CloudTrailEvent: JSON.stringify(e),
        })),
        ...(next ? { NextToken: next } : {}),
      });
    },
    ListPublicKeys: (_b, r) => json11(listPublicKeysBody(s.keys.get(r.region) ?? [])),
  });
}

export interface S3State {
  buckets: Map<string, Map<string, TrailObject>>;
  /** Buckets where ListObjectsV2 is refused (no s3:ListBucket). */
  forbidList?: Set<string>;
  /** Objects whose KMS key the caller may not use (SSE-KMS without kms:Decrypt). */
  kmsDenied?: Set<string>;
  /** The region every bucket lives in (HeadBucket's x-amz-bucket-region). */
  region?: string;
}

function s3Error(r: AwsRequest, status: number, code: string, message: string): AwsResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/xml' },
    body: r.method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><RequestId>${r.requestId}</RequestId><HostId>host-${r.requestId}</HostId></Error>`,
  };
}

const etags = new WeakMap<Buffer, string>();
/** An object's ETag (MD5 of its bytes), computed once per body. */
function etag(body: Buffer): string {
  let e = etags.get(body);
  if (!e) etags.set(body, (e = createHash('md5').update(body).digest('hex')));
  return e;
}

const KMS_KEY = 'arn:aws:kms:us-east-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666';

export function s3Service(s: S3State): AwsService {
  const path = (r: Omit<AwsRequest, 'operation'>): { bucket: string; key: string } => {
    const parts = r.path.split('/').slice(1);
    return { bucket: decodeURIComponent(parts[0] ?? ''), key: parts.slice(1).map(decodeURIComponent).join('/') };
  };
  return {
    name: 's3',
    operationOf: (r) => {
      const { key } = path(r);
      if (key === '') return r.query.get('list-type') === '2' ? 'ListObjectsV2' : r.method === 'HEAD' ? 'HeadBucket' : r.method === 'GET' ? 'ListObjects' : r.method;
      return r.method === 'HEAD' ? 'HeadObject' : r.method === 'GET' ? 'GetObject' : r.method;
    },
    error: s3Error,
    handle: (r) => {
      const { bucket, key } = path(r);
      const objects = s.buckets.get(bucket);
      if (!objects) return s3Error(r, 404, 'NoSuchBucket', 'The specified bucket does not exist');
      if (r.operation === 'HeadBucket') return { status: 200, headers: { 'x-amz-bucket-region': s.region ?? 'us-east-1', 'Content-Type': 'application/xml' }, body: '' };
      if (r.operation === 'ListObjectsV2') {
        if (s.forbidList?.has(bucket)) return s3Error(r, 403, 'AccessDenied', `User: arn:aws:sts::111122223333:assumed-role/ir/tester is not authorized to perform: s3:ListBucket on resource: "arn:aws:s3:::${bucket}" because no identity-based policy allows the s3:ListBucket action`);
        const prefix = r.query.get('prefix') ?? '';
        const delimiter = r.query.get('delimiter');
        const after = r.query.get('continuation-token') ? Buffer.from(r.query.get('continuation-token')!, 'base64').toString('utf8') : (r.query.get('start-after') ?? '');
        const max = Number(r.query.get('max-keys') ?? 1000);
        const keys = [...objects.keys()].filter((k) => k.startsWith(prefix) && k > after).sort();
        const contents: string[] = [];
        const prefixes = new Set<string>();
        let last = '';
        let truncated = false;
        for (const k of keys) {
          if (contents.length + prefixes.size >= max) {
            truncated = true;
            break;
          }
          const rest = k.slice(prefix.length);
          const cut = delimiter ? rest.indexOf(delimiter) : -1;
          if (cut !== -1) {
            const p = prefix + rest.slice(0, cut + delimiter!.length);
            if (!prefixes.has(p)) prefixes.add(p);
            last = p + '\uffff';
            continue;
          }
          contents.push(k);
          last = k;
        }
        const o = (k: string): TrailObject => objects.get(k)!;
        const xml =
          `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${xmlEscape(bucket)}</Name><Prefix>${xmlEscape(prefix)}</Prefix>` +
          `<KeyCount>${contents.length + prefixes.size}</KeyCount><MaxKeys>${max}</MaxKeys>${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ''}<IsTruncated>${truncated}</IsTruncated>` +
          contents
            .map((k) => `<Contents><Key>${xmlEscape(k)}</Key><LastModified>2026-10-20T10:00:00.000Z</LastModified><ETag>&quot;${etag(o(k).body)}&quot;</ETag><Size>${o(k).body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
            .join('') +
          [...prefixes].map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join('') +
          (r.query.get('continuation-token') ? `<ContinuationToken>${xmlEscape(r.query.get('continuation-token')!)}</ContinuationToken>` : '') +
          (truncated ? `<NextContinuationToken>${Buffer.from(last).toString('base64')}</NextContinuationToken>` : '') +
          (r.query.get('start-after') ? `<StartAfter>${xmlEscape(r.query.get('start-after')!)}</StartAfter>` : '') +
          `</ListBucketResult>`;
        return { status: 200, headers: { 'Content-Type': 'application/xml' }, body: xml };
      }
      const o = objects.get(key);
      if (!o) return s3Error(r, 404, 'NoSuchKey', 'The specified key does not exist.');
      const kms = o.sse === 'aws:kms' || s.kmsDenied?.has(key);
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Content-Length': String(o.body.length),
        ETag: `"${etag(o.body)}"`,
        'Last-Modified': 'Tue, 20 Oct 2026 10:00:00 GMT',
        'x-amz-server-side-encryption': kms ? 'aws:kms' : (o.sse ?? 'AES256'),
        ...(kms ? { 'x-amz-server-side-encryption-aws-kms-key-id': KMS_KEY } : {}),
        ...Object.fromEntries(Object.entries(o.metadata).map(([k, v]) => [`x-amz-meta-${k}`, v])),
      };
      if (r.operation === 'GetObject' && s.kmsDenied?.has(key)) {
        return s3Error(r, 403, 'AccessDenied', `User: arn:aws:sts::111122223333:assumed-role/ir/tester is not authorized to perform: kms:Decrypt on resource: ${KMS_KEY} because no identity-based policy allows the kms:Decrypt action`);
      }
      return { status: 200, headers, body: r.operation === 'HeadObject' ? '' : o.body };
    },
  };
}

export interface StsIdentity {
  arn: string;
  account: string;
  userId: string;
}

export function stsService(id: StsIdentity): AwsService {
  return queryService('sts', 'https://sts.amazonaws.com/doc/2011-06-15/', {
    GetCallerIdentity: (_p, r) => ({
      status: 200,
      headers: { 'Content-Type': 'text/xml' },
      body:
        `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>` +
        `<Arn>${xmlEscape(id.arn)}</Arn><UserId>${xmlEscape(id.userId)}</UserId><Account>${id.account}</Account>` +
        `</GetCallerIdentityResult><ResponseMetadata><RequestId>${r.requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    }),
  });
}
