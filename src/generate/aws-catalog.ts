import type { Account, AwsService, IamRole, Nat, Route, Subnet } from './model.js';
import type { Rng } from './prng.js';
import { base32, hex, principalUniqueId } from './ids.js';

/** The AWS side of every scenario: one account, one region, its VPC, NATs and endpoints. */

export const ACCOUNT_ID = '418273659024';
export const REGION = 'us-west-2';
export const GLOBAL_REGION = 'us-east-1';
export const CLUSTER_NAME = 'prod-payments-eks';

interface ServiceDef {
  key: string;
  eventSource: string;
  host: string;
  global?: boolean;
  route: Route;
  cidrs: string[];
}

const SERVICES: ServiceDef[] = [
  { key: 'sts', eventSource: 'sts.amazonaws.com', host: `sts.${REGION}.amazonaws.com`, route: 'vpce', cidrs: ['52.46.150.0/24'] },
  {
    key: 'secretsmanager',
    eventSource: 'secretsmanager.amazonaws.com',
    host: `secretsmanager.${REGION}.amazonaws.com`,
    route: 'vpce',
    cidrs: ['52.46.151.0/24'],
  },
  { key: 's3', eventSource: 's3.amazonaws.com', host: `s3.${REGION}.amazonaws.com`, route: 's3-gateway', cidrs: ['52.218.128.0/17', '3.5.76.0/22'] },
  { key: 'kms', eventSource: 'kms.amazonaws.com', host: `kms.${REGION}.amazonaws.com`, route: 'nat', cidrs: ['52.119.160.0/24'] },
  { key: 'ssm', eventSource: 'ssm.amazonaws.com', host: `ssm.${REGION}.amazonaws.com`, route: 'nat', cidrs: ['52.94.214.0/24'] },
  { key: 'iam', eventSource: 'iam.amazonaws.com', host: 'iam.amazonaws.com', global: true, route: 'nat', cidrs: ['52.94.225.0/24'] },
  { key: 'eks-auth', eventSource: 'eks-auth.amazonaws.com', host: `eks-auth.${REGION}.api.aws`, route: 'nat', cidrs: ['44.242.184.0/24'] },
  { key: 'eks', eventSource: 'eks.amazonaws.com', host: `eks.${REGION}.amazonaws.com`, route: 'nat', cidrs: ['52.94.211.0/24'] },
  { key: 'ec2', eventSource: 'ec2.amazonaws.com', host: `ec2.${REGION}.amazonaws.com`, route: 'vpce', cidrs: ['52.94.213.0/24'] },
  {
    key: 'autoscaling',
    eventSource: 'autoscaling.amazonaws.com',
    host: `autoscaling.${REGION}.amazonaws.com`,
    route: 'nat',
    cidrs: ['52.94.212.0/24'],
  },
  { key: 'ecr', eventSource: 'ecr.amazonaws.com', host: `api.ecr.${REGION}.amazonaws.com`, route: 'nat', cidrs: ['52.94.215.0/24'] },
  { key: 'sqs', eventSource: 'sqs.amazonaws.com', host: `sqs.${REGION}.amazonaws.com`, route: 'nat', cidrs: ['52.119.184.0/24'] },
];

export const AZS = [`${REGION}a`, `${REGION}b`, `${REGION}c`];

function addressIn(cidr: string, rng: Rng): string {
  const [base, bitsText] = cidr.split('/');
  const o = (base ?? '0.0.0.0').split('.').map(Number);
  const bits = Number(bitsText);
  const span = 2 ** (32 - bits);
  const start = (((o[0] ?? 0) << 24) >>> 0) + ((o[1] ?? 0) << 16) + ((o[2] ?? 0) << 8) + (o[3] ?? 0);
  const n = start + 4 + rng.int(span - 8);
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function makeRole(rng: Rng, infix: string, name: string, path = ''): IamRole {
  return { name, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${path}${name}`, id: principalUniqueId(rng, 'AROA', infix) };
}

export function buildAccount(rng: Rng): Account {
  const infix = base32(rng, 8);
  const nats: Nat[] = [
    { label: 'nat-us-west-2a', publicIp: '44.226.10.17' },
    { label: 'nat-us-west-2b', publicIp: '52.34.201.88' },
  ];
  const subnets: Subnet[] = [
    { az: AZS[0] ?? '', cidr: '10.0.0.0/19', octets: [0, 31], nat: nats[0] as Nat },
    { az: AZS[1] ?? '', cidr: '10.0.32.0/19', octets: [32, 63], nat: nats[1] as Nat },
    // The third AZ has no NAT of its own: it routes through the first, so two AZs share an address.
    { az: AZS[2] ?? '', cidr: '10.0.64.0/19', octets: [64, 95], nat: nats[0] as Nat },
  ];
  const services: Record<string, AwsService> = {};
  for (const d of SERVICES) {
    const vpceIps: Record<string, string> = {};
    if (d.route === 'vpce') {
      subnets.forEach((s, i) => {
        vpceIps[s.az] = `10.0.${s.octets[0] + 1}.${20 + SERVICES.indexOf(d) * 7 + i}`;
      });
    }
    const publicIps: string[] = [];
    for (let i = 0; i < 3; i++) publicIps.push(addressIn(d.cidrs[i % d.cidrs.length] ?? '52.94.0.0/16', rng));
    services[d.key] = {
      key: d.key,
      eventSource: d.eventSource,
      host: d.host,
      region: d.global ? GLOBAL_REGION : REGION,
      route: d.route,
      vpceId: d.route === 'nat' ? null : `vpce-0${hex(rng, 16)}`,
      vpceIps,
      publicIps,
      publicCidrs: d.cidrs,
      vpceIps6: {},
      publicIps6: [],
      publicCidrs6: [],
    };
  }
  const oidcIssuerId = hex(rng, 32).toUpperCase();
  return {
    id: ACCOUNT_ID,
    infix,
    region: REGION,
    clusterName: CLUSTER_NAME,
    clusterArn: `arn:aws:eks:${REGION}:${ACCOUNT_ID}:cluster/${CLUSTER_NAME}`,
    oidcIssuerId,
    oidcProviderArn: `arn:aws:iam::${ACCOUNT_ID}:oidc-provider/oidc.eks.${REGION}.amazonaws.com/id/${oidcIssuerId}`,
    nodeRole: makeRole(rng, infix, `eks-nodegroup-${CLUSTER_NAME}-NodeInstanceRole-${base32(rng, 12)}`),
    services,
    nats,
    subnets,
    trailBucket: `aws-cloudtrail-logs-${ACCOUNT_ID}-org`,
  };
}

export function service(account: Account, key: string): AwsService {
  const s = account.services[key];
  if (!s) throw new Error(`unknown AWS service ${key}`);
  return s;
}
