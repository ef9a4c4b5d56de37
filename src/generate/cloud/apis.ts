import type { Account, ApiName } from '../model.js';
import type { Rng } from '../prng.js';
import { type Ns, awsResponseDate } from '../ns-time.js';
import { base64Chars, uuid } from '../ids.js';

/** Request and response shapes of the API calls the scenarios make (management vs data events). */

export interface ApiShape {
  service: string;
  eventName: string;
  readOnly: boolean;
  category: 'Management' | 'Data';
  eventVersion: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  additionalEventData: Record<string, unknown> | null;
  resources: Array<Record<string, unknown>> | null;
  /** S3 request ids are 16 upper-case characters, not UUIDs. */
  s3Style: boolean;
}

export interface ApiContext {
  account: Account;
  rng: Rng;
  t: Ns;
  params: Record<string, string>;
}

function p(ctx: ApiContext, key: string, dflt = ''): string {
  return ctx.params[key] ?? dflt;
}

function base(service: string, eventName: string, readOnly: boolean): ApiShape {
  return {
    service,
    eventName,
    readOnly,
    category: 'Management',
    eventVersion: '1.09',
    requestParameters: null,
    responseElements: null,
    additionalEventData: null,
    resources: null,
    s3Style: false,
  };
}

function s3Object(ctx: ApiContext, eventName: 'PutObject' | 'GetObject'): ApiShape {
  const bucket = p(ctx, 'bucket', 'acme-data');
  const key = p(ctx, 'key', `objects/${uuid(ctx.rng)}.json`);
  const bytes = 512 + ctx.rng.int(400_000);
  const put = eventName === 'PutObject';
  return {
    ...base('s3', eventName, !put),
    category: 'Data',
    eventVersion: '1.10',
    requestParameters: { bucketName: bucket, Host: `${bucket}.s3.${ctx.account.region}.amazonaws.com`, key },
    responseElements: put ? { 'x-amz-server-side-encryption': 'AES256' } : null,
    additionalEventData: {
      SignatureVersion: 'SigV4',
      CipherSuite: 'TLS_AES_128_GCM_SHA256',
      bytesTransferredIn: put ? bytes : 0,
      SSEApplied: 'Default_SSE_S3',
      AuthenticationMethod: 'AuthHeader',
      'x-amz-id-2': base64Chars(ctx.rng, 76),
      bytesTransferredOut: put ? 0 : bytes,
    },
    resources: [
      { type: 'AWS::S3::Object', ARN: `arn:aws:s3:::${bucket}/${key}` },
      { accountId: ctx.account.id, type: 'AWS::S3::Bucket', ARN: `arn:aws:s3:::${bucket}` },
    ],
    s3Style: true,
  };
}

export function apiShape(api: ApiName, ctx: ApiContext): ApiShape {
  const acct = ctx.account;
  switch (api) {
    case 'sm.GetSecretValue':
      return { ...base('secretsmanager', 'GetSecretValue', true), requestParameters: { secretId: p(ctx, 'secretId') } };
    case 'sm.ListSecrets':
      return base('secretsmanager', 'ListSecrets', true);
    case 's3.PutObject':
      return s3Object(ctx, 'PutObject');
    case 's3.GetObject':
      return s3Object(ctx, 'GetObject');
    case 's3.ListBuckets':
      return {
        ...base('s3', 'ListBuckets', true),
        eventVersion: '1.10',
        requestParameters: { Host: `s3.${acct.region}.amazonaws.com` },
        additionalEventData: {
          SignatureVersion: 'SigV4',
          CipherSuite: 'TLS_AES_128_GCM_SHA256',
          bytesTransferredIn: 0,
          AuthenticationMethod: 'AuthHeader',
          'x-amz-id-2': base64Chars(ctx.rng, 76),
          bytesTransferredOut: 1200 + ctx.rng.int(800),
        },
        s3Style: true,
      };
    case 'ssm.GetParameters':
      return { ...base('ssm', 'GetParameters', true), requestParameters: { names: p(ctx, 'names').split(','), withDecryption: true } };
    case 'asg.DescribeAutoScalingGroups':
      return { ...base('autoscaling', 'DescribeAutoScalingGroups', true), requestParameters: { maxRecords: 100 } };
    case 'ec2.DescribeNetworkInterfaces':
      return {
        ...base('ec2', 'DescribeNetworkInterfaces', true),
        requestParameters: {
          networkInterfaceIdSet: {},
          filterSet: { items: [{ name: 'attachment.instance-id', valueSet: { items: [{ value: p(ctx, 'instanceId') }] } }] },
        },
      };
    case 'ec2.DescribeInstances':
      return {
        ...base('ec2', 'DescribeInstances', true),
        requestParameters: { instancesSet: p(ctx, 'instanceId') ? { items: [{ instanceId: p(ctx, 'instanceId') }] } : {}, filterSet: {} },
      };
    case 'ec2.DescribeTags':
      return {
        ...base('ec2', 'DescribeTags', true),
        requestParameters: { filterSet: { items: [{ name: 'resource-id', valueSet: { items: [{ value: p(ctx, 'instanceId') }] } }] } },
      };
    case 'ecr.DescribeImages':
      return { ...base('ecr', 'DescribeImages', true), requestParameters: { repositoryName: p(ctx, 'repository'), maxResults: 100 } };
    case 'ecr.GetAuthorizationToken':
      return { ...base('ecr', 'GetAuthorizationToken', true), requestParameters: { registryIds: [acct.id] } };
    case 'iam.ListAttachedUserPolicies':
      return { ...base('iam', 'ListAttachedUserPolicies', true), requestParameters: { userName: p(ctx, 'userName') } };
    case 'iam.ListAttachedRolePolicies':
      return { ...base('iam', 'ListAttachedRolePolicies', true), requestParameters: { roleName: p(ctx, 'roleName') } };
    case 'iam.ListUsers':
      return base('iam', 'ListUsers', true);
    case 'iam.CreateAccessKey':
      return {
        ...base('iam', 'CreateAccessKey', false),
        requestParameters: { userName: p(ctx, 'userName') },
        responseElements: {
          accessKey: { userName: p(ctx, 'userName'), accessKeyId: p(ctx, 'newKey'), status: 'Active', createDate: awsResponseDate(ctx.t) },
        },
      };
    case 'eks.DescribeCluster':
      return { ...base('eks', 'DescribeCluster', true), requestParameters: { name: acct.clusterName } };
    case 'kms.Decrypt':
      return {
        ...base('kms', 'Decrypt', true),
        eventVersion: '1.08',
        requestParameters: {
          encryptionContext: { SecretARN: p(ctx, 'secretArn'), SecretVersionId: p(ctx, 'versionId') },
          encryptionAlgorithm: 'SYMMETRIC_DEFAULT',
        },
        resources: [{ accountId: acct.id, type: 'AWS::KMS::Key', ARN: p(ctx, 'keyArn') }],
      };
    case 'sqs.SendMessage':
      return {
        ...base('sqs', 'SendMessage', false),
        category: 'Data',
        requestParameters: { queueUrl: p(ctx, 'queueUrl') },
      };
  }
}
