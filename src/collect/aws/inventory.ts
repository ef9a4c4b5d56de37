import path from 'node:path';
import {
  DescribeAddressesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribePrefixListsCommand,
  DescribeRouteTablesCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { DescribeClusterCommand, DescribePodIdentityAssociationCommand, ListPodIdentityAssociationsCommand } from '@aws-sdk/client-eks';
import { GetRoleCommand } from '@aws-sdk/client-iam';
import { RequestFailure } from '../common/collect-error.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import { fileStamp } from './collection-state.js';
import { writeEvidence } from './evidence-file.js';
import type { ClusterState, InventoryCall } from './inventory-state.js';

type Obj = Record<string, unknown>;

/** What one inventory call sends and how its answer pages. */
interface CallPlan {
  send: (ctx: AwsContext, c: InventoryCall, token: string | null, signal: AbortSignal) => Promise<Obj>;
  parameters: (c: InventoryCall, token: string | null, max: number) => Record<string, unknown>;
  /** The answer's list (counted) and its next-page token. */
  items: (out: Obj) => number;
  next: (out: Obj) => string | null;
  /** The file name's stem (as the AWS CLI command: ec2-describe-network-interfaces). */
  stem: string;
  /** The wire is XML (query protocols): the JSON evidence is the SDK's parse, the bytes kept beside. */
  xml: boolean;
}

const vpcFilter = (vpc: string | null) => (vpc ? [{ Name: 'vpc-id', Values: [vpc] }] : undefined);
const len = (v: unknown): number => (Array.isArray(v) ? v.length : 0);
const tok = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

function ec2Plan(stem: string, listKey: string, make: (vpc: string | null, token: string | null, max: number) => object, paged = true): CallPlan {
  return {
    stem,
    xml: true,
    parameters: (c, token, max) => ({ ...(c.argument ? { Filters: [{ Name: 'vpc-id', Values: [c.argument] }] } : {}), ...(paged ? { MaxResults: max } : {}), ...(token ? { NextToken: token } : {}) }),
    send: async (ctx, c, token, signal) => {
      const cmd = make(c.argument, token, ctx.inventoryPageSize) as Parameters<ReturnType<AwsContext['clients']['ec2']>['send']>[0];
      return (await ctx.clients.ec2(c.region).send(cmd, { abortSignal: signal })) as unknown as Obj;
    },
    items: (o) => (listKey === 'Reservations' ? (o['Reservations'] as Obj[] | undefined ?? []).reduce((n, r) => n + len(r['Instances']), 0) : len(o[listKey])),
    next: (o) => tok(o['NextToken']),
  };
}

const PLANS: Record<string, CallPlan> = {
  'eks:DescribeCluster': {
    stem: 'eks-describe-cluster',
    xml: false,
    parameters: (c) => ({ name: c.argument }),
    send: async (ctx, c, _t, signal) => (await ctx.clients.eks(c.region).send(new DescribeClusterCommand({ name: c.argument! }), { abortSignal: signal })) as unknown as Obj,
    items: (o) => (o['cluster'] ? 1 : 0),
    next: () => null,
  },
  'eks:ListPodIdentityAssociations': {
    stem: 'eks-list-pod-identity-associations',
    xml: false,
    parameters: (c, token, max) => ({ clusterName: c.argument, maxResults: Math.min(100, max), ...(token ? { nextToken: token } : {}) }),
    send: async (ctx, c, token, signal) =>
      (await ctx.clients.eks(c.region).send(new ListPodIdentityAssociationsCommand({ clusterName: c.argument!, maxResults: Math.min(100, ctx.inventoryPageSize), ...(token ? { nextToken: token } : {}) }), { abortSignal: signal })) as unknown as Obj,
    items: (o) => len(o['associations']),
    next: (o) => tok(o['nextToken']),
  },
  'eks:DescribePodIdentityAssociation': {
    stem: 'eks-describe-pod-identity-association',
    xml: false,
    parameters: (c) => ({ clusterName: c.argument!.split('/')[0], associationId: c.argument!.split('/')[1] }),
    send: async (ctx, c, _t, signal) => {
      const [clusterName, associationId] = c.argument!.split('/') as [string, string];
      return (await ctx.clients.eks(c.region).send(new DescribePodIdentityAssociationCommand({ clusterName, associationId }), { abortSignal: signal })) as unknown as Obj;
    },
    items: (o) => (o['association'] ? 1 : 0),
    next: () => null,
  },
  'iam:GetRole': {
    stem: 'iam-get-role',
    xml: true,
    parameters: (c) => ({ RoleName: c.argument }),
    send: async (ctx, c, _t, signal) => (await ctx.clients.iam(c.region).send(new GetRoleCommand({ RoleName: c.argument! }), { abortSignal: signal })) as unknown as Obj,
    items: (o) => (o['Role'] ? 1 : 0),
    next: () => null,
  },
  'ec2:DescribeInstances': ec2Plan('ec2-describe-instances', 'Reservations', (vpc, t, max) => new DescribeInstancesCommand({ Filters: vpcFilter(vpc), MaxResults: max, ...(t ? { NextToken: t } : {}) })),
  'ec2:DescribeNetworkInterfaces': ec2Plan('ec2-describe-network-interfaces', 'NetworkInterfaces', (vpc, t, max) => new DescribeNetworkInterfacesCommand({ Filters: vpcFilter(vpc), MaxResults: max, ...(t ? { NextToken: t } : {}) })),
  'ec2:DescribeNatGateways': ec2Plan('ec2-describe-nat-gateways', 'NatGateways', (vpc, t, max) => new DescribeNatGatewaysCommand({ Filter: vpcFilter(vpc), MaxResults: max, ...(t ? { NextToken: t } : {}) })),
  'ec2:DescribeAddresses': ec2Plan('ec2-describe-addresses', 'Addresses', () => new DescribeAddressesCommand({ Filters: [{ Name: 'domain', Values: ['vpc'] }] }), false),
  'ec2:DescribeRouteTables': ec2Plan('ec2-describe-route-tables', 'RouteTables', (vpc, t, max) => new DescribeRouteTablesCommand({ Filters: vpcFilter(vpc), MaxResults: max, ...(t ? { NextToken: t } : {}) })),
  'ec2:DescribeVpcEndpoints': ec2Plan('ec2-describe-vpc-endpoints', 'VpcEndpoints', (vpc, t, max) => new DescribeVpcEndpointsCommand({ Filters: vpcFilter(vpc), MaxResults: max, ...(t ? { NextToken: t } : {}) })),
  'ec2:DescribePrefixLists': ec2Plan('ec2-describe-prefix-lists', 'PrefixLists', (_vpc, t, max) => new DescribePrefixListsCommand({ MaxResults: max, ...(t ? { NextToken: t } : {}) })),
};

/** The SDK's output as the AWS CLI prints it: without $metadata, times as ISO text. */
export function cliJson(out: Obj): Buffer {
  const { $metadata: _m, ...rest } = out;
  return Buffer.from(`${JSON.stringify(rest, null, 4)}\n`, 'utf8');
}

function newCall(service: InventoryCall['service'], operation: string, region: string, argument: string | null): InventoryCall {
  return { key: `${service}:${operation}${argument ? `:${argument}` : ''}`, service, operation, region, argument, state: 'pending', next_token: null, pages: [], items: 0, snapshot_at: null };
}

function addCall(cl: ClusterState, c: InventoryCall): void {
  if (!cl.calls.some((x) => x.key === c.key)) cl.calls.push(c);
}

/**
 * One inventory call, every page: each answer kept whole (CLI-shaped JSON; the XML bytes beside it
 * for the query protocols), its file named with the region and the instant the first page came, so
 * it lands as a snapshot; checkpointed with its token so an interrupted call continues.
 * A refused call (forbidden, not found) is a gap, never a silent empty answer.
 */
async function runCall(ctx: AwsContext, cl: ClusterState, c: InventoryCall): Promise<Obj[]> {
  const plan = PLANS[`${c.service}:${c.operation}`]!;
  const outputs: Obj[] = [];
  c.state = 'running';
  for (;;) {
    const token = c.next_token;
    let r;
    try {
      r = await awsCall(ctx, { service: c.service, operation: c.operation, region: c.region, resource: `cluster/${cl.name}/${c.key}`, parameters: plan.parameters(c, token, ctx.inventoryPageSize) }, (signal) => plan.send(ctx, c, token, signal));
    } catch (e) {
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      c.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message =
        e.kind === 'forbidden'
          ? `forbidden: ${c.service}:${c.operation} is not allowed for this identity (${e.message}); deploy/podtrail-collector-aws-policy.json grants it`
          : `${c.service} ${c.operation}${c.argument ? ` ${c.argument}` : ''} not collected after ${c.pages.length} pages: ${e.message}`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: `cluster/${cl.name}/${c.key}`, verb: c.operation, from: null, to: null, message });
      ctx.progress.line(`  ${message}`);
      await ctx.run.commit(false, ctx.cp);
      return outputs;
    }
    const out = r.output as Obj;
    outputs.push(out);
    c.snapshot_at ??= new Date(r.exchange.respondedAtMs || Date.now()).toISOString();
    const argPart = c.argument && c.service !== 'ec2' ? `-${c.argument.split(/[/:]/).pop()!.replace(/[^A-Za-z0-9_.+=@-]/g, '_')}` : '';
    const base = `inventory/${plan.stem}${argPart}-${c.region}-p${String(c.pages.length + 1).padStart(4, '0')}-${fileStamp(c.snapshot_at)}`;
    const file = path.join(ctx.dir, `${base}.json`);
    if (plan.xml) {
      writeEvidence(path.join(ctx.dir, `${base}.xml`), r.exchange.body);
      writeEvidence(file, cliJson(out));
    } else {
      writeEvidence(file, r.exchange.body);
    }
    const n = plan.items(out);
    r.record({ responseFile: plan.xml ? path.join(ctx.dir, `${base}.xml`) : file, message: `${n} items${plan.next(out) ? '' : ' (last page)'}${plan.xml ? `; CLI-shaped JSON in ${base}.json` : ''}` });
    c.pages.push(`${base}.json`);
    c.items += n;
    c.next_token = plan.next(out);
    ctx.cp.state.files.push({ file: `${base}.json`, ready: true, ingested: false });
    if (c.next_token === null) {
      c.state = 'done';
      ctx.run.recordSnapshot({ resource: `cluster/${cl.name}/${c.key}`, snapshot_at: c.snapshot_at, server_date: r.exchange.headers['date'] ?? null, clock_difference_ms: null, resource_version: null, pages: c.pages.length, items: c.items, files: c.pages });
    }
    await ctx.run.commit(false, ctx.cp);
    if (c.state === 'done') return outputs;
  }
}

/** Roles named by an association (roleArn, targetRoleArn): the role name is the ARN's last part. */
function roleName(arn: string): string {
  return arn.split('/').pop() ?? arn;
}

/**
 * `--cluster NAME`: the EKS cluster (its VPC, OIDC issuer, ARN), then in its VPC the instances,
 * network interfaces, NAT gateways, Elastic IPs, route tables, VPC endpoints and AWS-managed prefix
 * lists; the Pod Identity associations listed, then each described (the list omits the role); the
 * trust policy of every role in play (associations' roles and target roles, and the IRSA roles the
 * case's service accounts name). What AWS refuses is a gap; the rest is still collected.
 */
export async function collectCluster(ctx: AwsContext, extraRoles: string[]): Promise<void> {
  const cl = ctx.cp.state.cluster!;
  cl.state = 'running';
  ctx.progress.line(`cluster ${cl.name} (${cl.region}): network and identity inventory`);
  for (const c of cl.calls) if (c.state === 'forbidden' || c.state === 'failed') Object.assign(c, { state: 'pending' });
  addCall(cl, newCall('eks', 'DescribeCluster', cl.region, cl.name));
  const describe = cl.calls.find((c) => c.key === `eks:DescribeCluster:${cl.name}`)!;
  if (describe.state !== 'done') {
    const [out] = await runCall(ctx, cl, describe);
    const cluster = (out?.['cluster'] ?? null) as Obj | null;
    cl.vpc_id = ((cluster?.['resourcesVpcConfig'] as Obj | undefined)?.['vpcId'] as string | undefined) ?? null;
  }
  if (describe.state === 'done' && cl.vpc_id === null) ctx.progress.line(`  the cluster names no VPC: the EC2 inventory is not filtered`);
  for (const op of ['DescribeInstances', 'DescribeNetworkInterfaces', 'DescribeNatGateways', 'DescribeAddresses', 'DescribeRouteTables', 'DescribeVpcEndpoints', 'DescribePrefixLists']) {
    addCall(cl, newCall('ec2', op, cl.region, op === 'DescribeAddresses' || op === 'DescribePrefixLists' ? null : cl.vpc_id));
  }
  addCall(cl, newCall('eks', 'ListPodIdentityAssociations', cl.region, cl.name));
  for (const c of cl.calls.filter((x) => x.service === 'ec2' && x.state !== 'done')) await runCall(ctx, cl, c);
  const list = cl.calls.find((c) => c.key === `eks:ListPodIdentityAssociations:${cl.name}`)!;
  if (list.state !== 'done') await runCall(ctx, cl, list);
  // the associations listed, from the pages on disk (a continued run did not see the earlier ones)
  const ids = await associationIds(ctx, list);
  for (const id of ids) addCall(cl, newCall('eks', 'DescribePodIdentityAssociation', cl.region, `${cl.name}/${id}`));
  for (const c of cl.calls.filter((x) => x.operation === 'DescribePodIdentityAssociation' && x.state !== 'done')) await runCall(ctx, cl, c);
  const roles = new Set<string>([...cl.roles, ...extraRoles]);
  for (const c of cl.calls.filter((x) => x.operation === 'DescribePodIdentityAssociation' && x.state === 'done')) {
    const a = (await readJson(ctx, c.pages[0]!))['association'] as Obj | undefined;
    for (const k of ['roleArn', 'targetRoleArn']) if (typeof a?.[k] === 'string') roles.add(a[k] as string);
  }
  cl.roles = [...roles].sort();
  for (const arn of cl.roles) addCall(cl, newCall('iam', 'GetRole', 'us-east-1', roleName(arn)));
  for (const c of cl.calls.filter((x) => x.service === 'iam' && x.state !== 'done')) await runCall(ctx, cl, c);
  const open = cl.calls.filter((c) => c.state !== 'done');
  cl.state = open.length === 0 ? 'done' : open.every((c) => c.state === 'forbidden') ? 'forbidden' : 'failed';
  ctx.cp.save();
}

async function readJson(ctx: AwsContext, file: string): Promise<Obj> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(path.join(ctx.dir, file), 'utf8')) as Obj;
}

async function associationIds(ctx: AwsContext, list: InventoryCall): Promise<string[]> {
  const ids: string[] = [];
  for (const p of list.pages) for (const a of ((await readJson(ctx, p))['associations'] as Obj[] | undefined) ?? []) if (typeof a['associationId'] === 'string') ids.push(a['associationId']);
  return [...new Set(ids)].sort();
}
