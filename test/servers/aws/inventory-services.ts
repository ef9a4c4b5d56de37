/**
 * The AWS services of the inventory collection tests, in the protocols AWS speaks for them:
 * EC2 (the EC2 query protocol: form-encoded Action, XML answers whose lists are <xxxSet><item>,
 * errors as <Response><Errors>), IAM (the query protocol; GetRole's trust policy URL-encoded),
 * EKS (REST-JSON: GET /clusters/NAME, /clusters/NAME/pod-identity-associations[/ID]) and
 * CloudWatch Logs (AWS JSON 1.1: FilterLogEvents). Paged where AWS pages (MaxResults/NextToken,
 * maxResults/nextToken, limit/nextToken), with the filters the collector sends (vpc-id). The state
 * is written in the AWS CLI's JSON shape, so a test can compare what lands with the same
 * documents given to `podtrail ingest`.
 */
import { json11, json11Error, json11Service, queryService, xmlEscape, type AwsRequest, type AwsResponse, type AwsService } from './aws-server.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Member names whose EC2 XML name is not the member name with a lower-case first letter. */
const EC2_XML_NAMES: Record<string, string> = {
  NetworkInterfaces: 'networkInterfaceSet',
  PrivateIpAddresses: 'privateIpAddressesSet',
  Ipv4Prefixes: 'ipv4PrefixSet',
  Ipv6Prefixes: 'ipv6PrefixSet',
  Ipv6Addresses: 'ipv6AddressesSet',
  Groups: 'groupSet',
  SecurityGroups: 'groupSet',
  Tags: 'tagSet',
  NatGateways: 'natGatewaySet',
  NatGatewayAddresses: 'natGatewayAddressSet',
  Addresses: 'addressesSet',
  RouteTables: 'routeTableSet',
  Routes: 'routeSet',
  Associations: 'associationSet',
  VpcEndpoints: 'vpcEndpointSet',
  NetworkInterfaceIds: 'networkInterfaceIdSet',
  SubnetIds: 'subnetIdSet',
  RouteTableIds: 'routeTableIdSet',
  DnsEntries: 'dnsEntrySet',
  Reservations: 'reservationSet',
  Instances: 'instancesSet',
  PrefixLists: 'prefixListSet',
  Cidrs: 'cidrSet',
  PublicIpAddress: 'ipAddress',
  State: 'state',
  PublicDnsName: 'dnsName',
};

/** A CLI-shaped value as EC2 XML. `State` of an instance is an object (instanceState). */
export function ec2Xml(v: unknown, name: string): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return `<${name}>${v.map((x) => ec2Xml(x, 'item')).join('')}</${name}>`;
  if (typeof v === 'object') {
    const inner = Object.entries(v as Obj)
      .map(([k, x]) => ec2Xml(x, k === 'State' && typeof x === 'object' && x !== null ? 'instanceState' : (EC2_XML_NAMES[k] ?? k[0]!.toLowerCase() + k.slice(1))))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${xmlEscape(String(v))}</${name}>`;
}

function ec2Error(r: AwsRequest, status: number, code: string, message: string): AwsResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${r.requestId}</RequestID></Response>`,
  };
}

/** Filter.N.Name / Filter.N.Value.M of an EC2 query request. */
function filtersOf(p: URLSearchParams): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, v] of p) {
    const m = /^Filter\.(\d+)\.Name$/.exec(k);
    if (!m) continue;
    const values: string[] = [];
    for (let j = 1; p.has(`Filter.${m[1]}.Value.${j}`); j++) values.push(p.get(`Filter.${m[1]}.Value.${j}`)!);
    out.set(v, values);
  }
  return out;
}

export interface Ec2State {
  /** CLI-shaped lists, per region. */
  regions: Map<
    string,
    {
      Reservations: Obj[];
      NetworkInterfaces: Obj[];
      NatGateways: Obj[];
      Addresses: Obj[];
      RouteTables: Obj[];
      VpcEndpoints: Obj[];
      PrefixLists: Obj[];
    }
  >;
  /** Largest page the server returns whatever MaxResults asks (to force paging in tests). */
  maxPage?: number;
}

/** The list key of each Describe operation, and how a vpc-id filter reads an element. */
const EC2_OPS: Record<string, { key: keyof Ec2State['regions'] extends never ? string : string; paged: boolean; vpc: (e: Obj) => string | undefined }> = {
  DescribeInstances: { key: 'Reservations', paged: true, vpc: (e) => e['Instances']?.[0]?.['VpcId'] },
  DescribeNetworkInterfaces: { key: 'NetworkInterfaces', paged: true, vpc: (e) => e['VpcId'] },
  DescribeNatGateways: { key: 'NatGateways', paged: true, vpc: (e) => e['VpcId'] },
  DescribeAddresses: { key: 'Addresses', paged: false, vpc: () => undefined },
  DescribeRouteTables: { key: 'RouteTables', paged: true, vpc: (e) => e['VpcId'] },
  DescribeVpcEndpoints: { key: 'VpcEndpoints', paged: true, vpc: (e) => e['VpcId'] },
  DescribePrefixLists: { key: 'PrefixLists', paged: true, vpc: () => undefined },
};

export function ec2Service(s: Ec2State): AwsService {
  return {
    name: 'ec2',
    operationOf: (r) => new URLSearchParams(r.body.toString('utf8')).get('Action') ?? '',
    error: ec2Error,
    handle: (r) => {
      const op = EC2_OPS[r.operation];
      if (!op) return ec2Error(r, 400, 'InvalidAction', `The action ${r.operation} is not valid for this web service.`);
      const p = new URLSearchParams(r.body.toString('utf8'));
      if (p.get('Version') !== '2016-11-15') return ec2Error(r, 400, 'InvalidParameterValue', 'bad Version');
      const all = ((s.regions.get(r.region) as Obj | undefined)?.[op.key] ?? []) as Obj[];
      const vpc = filtersOf(p).get('vpc-id');
      const matching = vpc ? all.filter((e) => op.vpc(e) === undefined || vpc.includes(op.vpc(e)!)) : all;
      let start = 0;
      let page = matching;
      let next: string | undefined;
      if (op.paged) {
        const max = Number(p.get('MaxResults') ?? 1000);
        if (p.has('MaxResults') && (max < 5 || max > 1000)) return ec2Error(r, 400, 'InvalidParameterValue', 'Value for parameter MaxResults is invalid. Expecting a value between 5 and 1000.');
        if (p.get('NextToken')) {
          const tok = JSON.parse(Buffer.from(p.get('NextToken')!, 'base64').toString('utf8')) as { op: string; o: number };
          if (tok.op !== r.operation) return ec2Error(r, 400, 'InvalidNextToken', 'The token is invalid');
          start = tok.o;
        }
        const size = Math.min(max, s.maxPage ?? max);
        page = matching.slice(start, start + size);
        if (start + page.length < matching.length) next = Buffer.from(JSON.stringify({ op: r.operation, o: start + page.length })).toString('base64');
      }
      const listName = EC2_XML_NAMES[op.key]!;
      return {
        status: 200,
        headers: { 'Content-Type': 'text/xml;charset=UTF-8' },
        body:
          `<?xml version="1.0" encoding="UTF-8"?>\n<${r.operation}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${r.requestId}</requestId>` +
          ec2Xml(page, listName) +
          (next ? `<nextToken>${next}</nextToken>` : '') +
          `</${r.operation}Response>`,
      };
    },
  };
}

/** IAM GetRole (query protocol): the trust policy URL-encoded, as IAM sends it. */
export function iamService(roles: Map<string, Obj>): AwsService {
  return queryService('iam', 'https://iam.amazonaws.com/doc/2010-05-08/', {
    GetRole: (p, r) => {
      const role = roles.get(p.get('RoleName') ?? '');
      if (!role) {
        return {
          status: 404,
          headers: { 'Content-Type': 'text/xml' },
          body: `<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code><Message>The role with name ${xmlEscape(p.get('RoleName') ?? '')} cannot be found.</Message></Error><RequestId>${r.requestId}</RequestId></ErrorResponse>`,
        };
      }
      const field = (k: string, v: unknown): string => (v === undefined || v === null ? '' : `<${k}>${xmlEscape(String(v))}</${k}>`);
      return {
        status: 200,
        headers: { 'Content-Type': 'text/xml' },
        body:
          `<GetRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><GetRoleResult><Role>` +
          field('Path', role['Path']) +
          field('RoleName', role['RoleName']) +
          field('RoleId', role['RoleId']) +
          field('Arn', role['Arn']) +
          field('CreateDate', role['CreateDate']) +
          field('AssumeRolePolicyDocument', encodeURIComponent(JSON.stringify(role['AssumeRolePolicyDocument']))) +
          field('MaxSessionDuration', role['MaxSessionDuration']) +
          `</Role></GetRoleResult><ResponseMetadata><RequestId>${r.requestId}</RequestId></ResponseMetadata></GetRoleResponse>`,
      };
    },
  });
}

export interface EksState {
  /** describe-cluster's "cluster", CLI-shaped (createdAt ISO; sent as epoch seconds). */
  clusters: Map<string, Obj>;
  /** describe-pod-identity-association's "association", per cluster. */
  associations: Map<string, Obj[]>;
  maxPage?: number;
}

function restJsonError(status: number, code: string, message: string): AwsResponse {
  return { status, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': `${code}:http://internal.amazon.com/coral/com.amazonaws.eks/` }, body: JSON.stringify({ message }) };
}

const epoch = (iso: unknown): number | undefined => (typeof iso === 'string' ? Date.parse(iso) / 1000 : undefined);

/** EKS (REST-JSON): DescribeCluster, ListPodIdentityAssociations (paged), DescribePodIdentityAssociation. */
export function eksService(s: EksState): AwsService {
  const route = (r: Omit<AwsRequest, 'operation'>): { op: string; cluster: string; id: string | null } => {
    const parts = r.path.split('/').slice(1).map(decodeURIComponent);
    if (parts[0] !== 'clusters' || !parts[1]) return { op: 'Unknown', cluster: '', id: null };
    if (parts.length === 2) return { op: 'DescribeCluster', cluster: parts[1], id: null };
    if (parts[2] === 'pod-identity-associations') return { op: parts[3] ? 'DescribePodIdentityAssociation' : 'ListPodIdentityAssociations', cluster: parts[1], id: parts[3] ?? null };
    return { op: 'Unknown', cluster: parts[1], id: null };
  };
  return {
    name: 'eks',
    operationOf: (r) => route(r).op,
    error: (_r, status, code, message) => restJsonError(status, code, message),
    handle: (r) => {
      const { op, cluster, id } = route(r);
      const c = s.clusters.get(cluster);
      if (!c) return restJsonError(404, 'ResourceNotFoundException', `No cluster found for name: ${cluster}.`);
      const json = (body: unknown): AwsResponse => ({ status: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      if (op === 'DescribeCluster') return json({ cluster: { ...c, createdAt: epoch(c['createdAt']) } });
      const assocs = s.associations.get(cluster) ?? [];
      if (op === 'ListPodIdentityAssociations') {
        const max = Number(r.query.get('maxResults') ?? 100);
        const start = r.query.get('nextToken') ? Number(Buffer.from(r.query.get('nextToken')!, 'base64').toString('utf8')) : 0;
        const page = assocs.slice(start, start + Math.min(max, s.maxPage ?? max));
        const next = start + page.length < assocs.length ? Buffer.from(String(start + page.length)).toString('base64') : undefined;
        return json({
          associations: page.map((a) => ({ clusterName: a['clusterName'], namespace: a['namespace'], serviceAccount: a['serviceAccount'], associationArn: a['associationArn'], associationId: a['associationId'], ...(a['ownerArn'] ? { ownerArn: a['ownerArn'] } : {}) })),
          ...(next ? { nextToken: next } : {}),
        });
      }
      if (op === 'DescribePodIdentityAssociation') {
        const a = assocs.find((x) => x['associationId'] === id);
        if (!a) return restJsonError(404, 'ResourceNotFoundException', `No Pod Identity Association found for id: ${id}.`);
        return json({ association: { ...a, createdAt: epoch(a['createdAt']), modifiedAt: epoch(a['modifiedAt']) } });
      }
      return restJsonError(404, 'UnknownOperationException', `no route for ${r.method} ${r.path}`);
    },
  };
}

export interface LogsState {
  /** Log group -> events {logStreamName, timestamp (ms), ingestionTime (ms), message}. */
  groups: Map<string, Obj[]>;
  maxPage?: number;
}

/** CloudWatch Logs FilterLogEvents (AWS JSON 1.1), paged by limit and nextToken. */
export function logsService(s: LogsState): AwsService {
  return json11Service('logs', {
    FilterLogEvents: (b) => {
      const events = s.groups.get(String(b['logGroupName']));
      if (!events) return json11Error(400, 'ResourceNotFoundException', 'The specified log group does not exist.');
      const prefix = String(b['logStreamNamePrefix'] ?? '');
      const from = Number(b['startTime'] ?? -Infinity);
      const to = Number(b['endTime'] ?? Infinity);
      const limit = Math.min(Number(b['limit'] ?? 10000), s.maxPage ?? 10000);
      const matching = events
        .filter((e) => String(e['logStreamName']).startsWith(prefix) && e['timestamp'] >= from && e['timestamp'] <= to)
        .sort((a, c) => a['timestamp'] - c['timestamp'] || (a['eventId'] < c['eventId'] ? -1 : 1));
      const start = b['nextToken'] ? Number(Buffer.from(String(b['nextToken']), 'base64').toString('utf8')) : 0;
      const page = matching.slice(start, start + limit);
      const next = start + page.length < matching.length ? Buffer.from(String(start + page.length)).toString('base64') : undefined;
      return json11({ events: page, searchedLogStreams: [], ...(next ? { nextToken: next } : {}) });
    },
  });
}
