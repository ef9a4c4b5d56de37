import type { ApiName, Cred } from '../model.js';
import { type Ns, ms } from '../ns-time.js';
import type { World } from '../world.js';
import { service } from '../aws-catalog.js';
import { hex } from '../ids.js';
import { apiShape } from './apis.js';
import { userIdentity } from './identities.js';
import { type Caller, reach } from './reach.js';
import { type CallTruth, buildRecord, emitRecord } from './record.js';

/** One API call made with some credentials: runtime evidence, the CloudTrail record, the truth. */

export interface AwsCall {
  api: ApiName;
  params?: Record<string, string>;
  cred: Cred;
  caller: Caller;
  at: Ns;
  userAgent: string;
  truth: CallTruth;
  error?: { code: string; message: string };
}

export interface CallResult {
  eventTime: Ns;
  doneAt: Ns;
  eventId: string;
}

export function awsCall(w: World, c: AwsCall): CallResult {
  const params = c.params ?? {};
  const shape = apiShape(c.api, { account: w.account, rng: w.rng, t: c.at, params });
  const svc = service(w.account, shape.service);
  const reached = reach(w, svc, c.caller, c.at);
  const record = buildRecord(w, {
    eventVersion: shape.eventVersion,
    userIdentity: userIdentity(w.account, c.cred),
    svc,
    eventName: shape.eventName,
    reached,
    userAgent: c.userAgent,
    errorCode: c.error?.code ?? null,
    errorMessage: c.error?.message ?? null,
    requestParameters: shape.requestParameters,
    responseElements: shape.responseElements,
    additionalEventData: shape.additionalEventData,
    readOnly: shape.readOnly,
    resources: shape.resources,
    category: shape.category,
    s3Style: shape.s3Style,
  });
  const eventId = emitRecord(w, record, reached.eventTime, c.truth, reached.runtimeEvidence, reached.relayPod?.uid ?? null);
  if (c.api === 'sm.GetSecretValue' && !c.error) secretDecrypt(w, c, reached.eventTime);
  return { eventTime: reached.eventTime, doneAt: reached.doneAt, eventId };
}

/** Secrets Manager decrypts the secret with KMS on the caller's behalf: a second, AWS-made event. */
function secretDecrypt(w: World, c: AwsCall, at: Ns): void {
  const secretId = c.params?.['secretId'] ?? 'secret';
  const secretArn = secretId.startsWith('arn:') ? secretId : `arn:aws:secretsmanager:${w.account.region}:${w.account.id}:secret:${secretId}-${hex(w.rng, 6)}`;
  const shape = apiShape('kms.Decrypt', {
    account: w.account,
    rng: w.rng,
    t: at,
    params: {
      secretArn,
      versionId: `${hex(w.rng, 8)}-${hex(w.rng, 4)}-${hex(w.rng, 4)}-${hex(w.rng, 4)}-${hex(w.rng, 12)}`,
      keyArn: `arn:aws:kms:${w.account.region}:${w.account.id}:key/${hex(w.rng, 8)}-${hex(w.rng, 4)}-4${hex(w.rng, 3)}-a${hex(w.rng, 3)}-${hex(w.rng, 12)}`,
    },
  });
  const svc = service(w.account, 'kms');
  const reached = reach(w, svc, { kind: 'aws', name: 'secretsmanager.amazonaws.com' }, at - ms(900));
  const record = buildRecord(w, {
    eventVersion: shape.eventVersion,
    userIdentity: userIdentity(w.account, c.cred, 'secretsmanager.amazonaws.com'),
    svc,
    eventName: shape.eventName,
    reached,
    userAgent: 'secretsmanager.amazonaws.com',
    requestParameters: shape.requestParameters,
    responseElements: null,
    readOnly: true,
    resources: shape.resources,
    category: 'Management',
    tls: false,
  });
  emitRecord(w, record, reached.eventTime, { ...c.truth, via: 'aws-service' }, false);
}
