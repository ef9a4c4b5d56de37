/**
 * A generated scenario's AWS account as the loopback servers serve it: the EKS cluster, its VPC
 * (node subnets routed to the scenario's NAT gateways, interface endpoints with their network
 * interfaces, the S3 gateway endpoint and its prefix list), the nodes' instances and network
 * interfaces (each pod IP a secondary address of its node's interface; one node in prefix mode,
 * its pods in a delegated /28, its interface dual-stack with an IPv6 address and a delegated /80),
 * the Pod Identity associations and the IAM roles with their trust policies, all in the AWS CLI's
 * JSON shape. Built from the scenario's world (src/generate), so what the collector finds is what
 * the generator's truth says the account is.
 */
import type { ScenarioSpec } from '../../../src/generate/world.js';
import type { Ec2State, EksState } from './inventory-services.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const hex = (n: number, width = 17): string => n.toString(16).padStart(width, '0');

export interface ClusterFixture {
  region: string;
  clusterName: string;
  vpcId: string;
  ec2: Ec2State;
  eks: EksState;
  /** RoleName -> GetRole's Role (trust policy as a JSON object: the server URL-encodes it). */
  roles: Map<string, Obj>;
}

export function clusterFixture(spec: ScenarioSpec): ClusterFixture {
  const c = spec.cluster;
  const a = c.account;
  const region = a.region;
  const vpcId = `vpc-${hex(0xa11ce)}`;
  const subnetId = (i: number): string => `subnet-${hex(0x5b000 + i)}`;
  const natId = (i: number): string => `nat-${hex(0x7a7000 + i)}`;
  const subnetIndex = new Map(a.subnets.map((s, i) => [s, i]));
  const natIndex = new Map(a.nats.map((n, i) => [n, i]));
  const created = '2026-01-05T10:00:00+00:00';

  // nodes: one instance and one primary interface each; pod IPs as secondary addresses, except on
  // the last node, which runs in prefix mode (its pods' addresses inside a delegated /28)
  const pods = c.pods.filter((p) => p.ip !== p.node.ip);
  const prefixNode = c.nodes[c.nodes.length - 1];
  const networkInterfaces: Obj[] = [];
  const reservations: Obj[] = [];
  c.nodes.forEach((n, i) => {
    const eni = `eni-${hex(0xe0000 + i)}`;
    const podIps = [...new Set(pods.filter((p) => p.node === n).map((p) => p.ip))].sort();
    const prefixes = n === prefixNode ? [...new Set(podIps.map((ip) => ip.replace(/\.(\d+)$/, (_m, d: string) => `.${Math.floor(Number(d) / 16) * 16}`) + '/28'))].sort() : [];
    networkInterfaces.push({
      AvailabilityZone: n.subnet.az,
      Description: '',
      InterfaceType: 'interface',
      NetworkInterfaceId: eni,
      PrivateIpAddress: n.ip,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: n.ip }, ...(n === prefixNode ? [] : podIps.map((ip) => ({ Primary: false, PrivateIpAddress: ip })))],
      Ipv4Prefixes: prefixes.map((p) => ({ Ipv4Prefix: p })),
      Ipv6Addresses: n === prefixNode ? [{ Ipv6Address: `2600:1f14:abc:${hex(0xd00 + i, 4)}::10`, IsPrimaryIpv6: false }] : [],
      Ipv6Prefixes: n === prefixNode ? [{ Ipv6Prefix: `2600:1f14:abc:${hex(0xd00 + i, 4)}:8f3a::/80` }] : [],
      Status: 'in-use',
      SubnetId: subnetId(subnetIndex.get(n.subnet)!),
      VpcId: vpcId,
      Attachment: { AttachmentId: `eni-attach-${hex(0xa0000 + i)}`, DeviceIndex: 0, InstanceId: n.instanceId, Status: 'attached' },
    });
    reservations.push({
      ReservationId: `r-${hex(0xb0000 + i)}`,
      OwnerId: a.id,
      Instances: [
        {
          InstanceId: n.instanceId,
          InstanceType: n.instanceType,
          LaunchTime: '2026-10-19T20:00:00+00:00',
          Placement: { AvailabilityZone: n.subnet.az },
          PrivateDnsName: n.name,
          PrivateIpAddress: n.ip,
          State: { Code: 16, Name: 'running' },
          SubnetId: subnetId(subnetIndex.get(n.subnet)!),
          VpcId: vpcId,
          IamInstanceProfile: { Arn: `arn:aws:iam::${a.id}:instance-profile/eks-${n.nodegroup}`, Id: `AIPA${hex(i, 17).toUpperCase()}` },
          NetworkInterfaces: [{ NetworkInterfaceId: eni, PrivateIpAddress: n.ip, SubnetId: subnetId(subnetIndex.get(n.subnet)!), VpcId: vpcId }],
          Tags: [
            { Key: 'aws:eks:cluster-name', Value: a.clusterName },
            { Key: `kubernetes.io/cluster/${a.clusterName}`, Value: 'owned' },
          ],
        },
      ],
    });
  });

  // NAT gateways in public subnets; the Elastic IPs they hold
  const natGateways = a.nats.map((nat, i) => ({
    CreateTime: created,
    NatGatewayAddresses: [{ AllocationId: `eipalloc-${hex(0xe1000 + i)}`, NetworkInterfaceId: `eni-${hex(0xf0000 + i)}`, PrivateIp: `10.0.${250 + i}.10`, PublicIp: nat.publicIp, IsPrimary: true, Status: 'succeeded' }],
    NatGatewayId: natId(i),
    State: 'available',
    SubnetId: `subnet-${hex(0x9b000 + i)}`,
    VpcId: vpcId,
    ConnectivityType: 'public',
  }));
  networkInterfaces.push(
    ...a.nats.map((nat, i) => ({
      Description: `Interface for NAT Gateway ${natId(i)}`,
      InterfaceType: 'nat_gateway',
      NetworkInterfaceId: `eni-${hex(0xf0000 + i)}`,
      PrivateIpAddress: `10.0.${250 + i}.10`,
      PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: `10.0.${250 + i}.10`, Association: { PublicIp: nat.publicIp } }],
      Association: { PublicIp: nat.publicIp },
      Status: 'in-use',
      SubnetId: `subnet-${hex(0x9b000 + i)}`,
      VpcId: vpcId,
      RequesterId: 'AWS',
    })),
  );
  const addresses = a.nats.map((nat, i) => ({ AllocationId: `eipalloc-${hex(0xe1000 + i)}`, AssociationId: `eipassoc-${hex(0xe2000 + i)}`, Domain: 'vpc', NetworkInterfaceId: `eni-${hex(0xf0000 + i)}`, PrivateIpAddress: `10.0.${250 + i}.10`, PublicIp: nat.publicIp }));

  // VPC endpoints: interface endpoints (one interface per AZ), the S3 gateway endpoint
  const services = Object.values(a.services).sort((x, y) => (x.key < y.key ? -1 : 1));
  const vpcEndpoints: Obj[] = [];
  const prefixLists: Obj[] = [];
  let eniSeq = 0;
  const gatewayTables: string[] = [];
  for (const s of services) {
    if (s.route === 'vpce' && s.vpceId) {
      const enis = Object.entries(s.vpceIps).sort().map(([az, ip]) => {
        const id = `eni-${hex(0xd0000 + eniSeq++)}`;
        networkInterfaces.push({ AvailabilityZone: az, Description: `VPC Endpoint Interface ${s.vpceId}`, InterfaceType: 'vpc_endpoint', NetworkInterfaceId: id, PrivateIpAddress: ip, PrivateIpAddresses: [{ Primary: true, PrivateIpAddress: ip }], Status: 'in-use', SubnetId: subnetId(a.subnets.findIndex((x) => x.az === az)), VpcId: vpcId, RequesterId: 'AWS' });
        return id;
      });
      vpcEndpoints.push({ VpcEndpointId: s.vpceId, VpcEndpointType: 'Interface', VpcId: vpcId, ServiceName: `com.amazonaws.${region}.${s.host.split('.')[0]}`, State: 'available', NetworkInterfaceIds: enis, SubnetIds: a.subnets.map((_x, i) => subnetId(i)), CreationTimestamp: created });
    }
  }
  const s3 = a.services['s3'];
  const s3Gateway = s3?.route === 's3-gateway';
  if (s3Gateway) {
    prefixLists.push({ PrefixListId: 'pl-63a5400a', PrefixListName: `com.amazonaws.${region}.s3`, Cidrs: s3!.publicIps.map((ip) => `${ip}/32`) });
  }

  // route tables: one per node subnet (local, default route to its NAT, the S3 gateway's prefix list); a public main table
  const routeTables: Obj[] = a.subnets.map((s, i) => {
    const id = `rtb-${hex(0xc0000 + i)}`;
    gatewayTables.push(id);
    return {
      RouteTableId: id,
      VpcId: vpcId,
      Associations: [{ Main: false, RouteTableAssociationId: `rtbassoc-${hex(0xc1000 + i)}`, RouteTableId: id, SubnetId: subnetId(i) }],
      Routes: [
        { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
        { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natId(natIndex.get(s.nat)!), Origin: 'CreateRoute', State: 'active' },
        ...(s3Gateway ? [{ DestinationPrefixListId: 'pl-63a5400a', GatewayId: 'vpce-0s3gateway00000001', Origin: 'CreateRoute', State: 'active' }] : []),
      ],
    };
  });
  routeTables.push({
    RouteTableId: `rtb-${hex(0xcffff)}`,
    VpcId: vpcId,
    Associations: [{ Main: true, RouteTableAssociationId: `rtbassoc-${hex(0xc1fff)}`, RouteTableId: `rtb-${hex(0xcffff)}` }],
    Routes: [
      { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
      { DestinationCidrBlock: '0.0.0.0/0', GatewayId: `igw-${hex(0x16)}`, Origin: 'CreateRoute', State: 'active' },
    ],
  });
  if (s3Gateway) vpcEndpoints.push({ VpcEndpointId: 'vpce-0s3gateway00000001', VpcEndpointType: 'Gateway', VpcId: vpcId, ServiceName: `com.amazonaws.${region}.s3`, State: 'available', RouteTableIds: gatewayTables, CreationTimestamp: created });

  // EKS: the cluster, its Pod Identity associations; IAM: the roles in play with their trust
  const issuer = `https://oidc.eks.${region}.amazonaws.com/id/${a.oidcIssuerId}`;
  const cluster = {
    name: a.clusterName,
    arn: a.clusterArn,
    createdAt: created,
    version: '1.31',
    endpoint: `https://${a.oidcIssuerId}.gr7.${region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${a.id}:role/eks-cluster-role`,
    resourcesVpcConfig: { subnetIds: a.subnets.map((_s, i) => subnetId(i)), vpcId, endpointPublicAccess: true, endpointPrivateAccess: true },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '172.20.0.0/16', ipFamily: 'ipv4' },
    logging: { clusterLogging: [{ types: ['api', 'audit', 'authenticator'], enabled: true }] },
    identity: { oidc: { issuer } },
    status: 'ACTIVE',
  };
  const associations: Obj[] = [];
  const roles = new Map<string, Obj>();
  for (const sa of [...c.serviceAccounts].sort((x, y) => (`${x.namespace}/${x.name}` < `${y.namespace}/${y.name}` ? -1 : 1))) {
    const b = sa.binding;
    if (b.kind === 'pod-identity') {
      associations.push({
        clusterName: a.clusterName,
        namespace: sa.namespace,
        serviceAccount: sa.name,
        roleArn: b.role.arn,
        associationArn: `arn:aws:eks:${region}:${a.id}:podidentityassociation/${a.clusterName}/${b.associationId}`,
        associationId: b.associationId,
        tags: {},
        createdAt: created,
        modifiedAt: created,
        disableSessionTags: false,
      });
      roles.set(b.role.name, { Path: '/', RoleName: b.role.name, RoleId: b.role.id, Arn: b.role.arn, CreateDate: created, MaxSessionDuration: 3600, AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'pods.eks.amazonaws.com' }, Action: ['sts:AssumeRole', 'sts:TagSession'] }] } });
    } else if (b.kind === 'irsa') {
      const host = issuer.replace('https://', '');
      const prev = roles.get(b.role.name);
      const subjects = [...new Set([...((prev?.['AssumeRolePolicyDocument']?.['Statement']?.[0]?.['Condition']?.['StringEquals']?.[`${host}:sub`] as string[] | undefined) ?? []), `system:serviceaccount:${sa.namespace}:${sa.name}`])].sort();
      roles.set(b.role.name, {
        Path: '/',
        RoleName: b.role.name,
        RoleId: b.role.id,
        Arn: b.role.arn,
        CreateDate: created,
        MaxSessionDuration: 3600,
        AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: a.oidcProviderArn }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringEquals: { [`${host}:sub`]: subjects, [`${host}:aud`]: 'sts.amazonaws.com' } } }] },
      });
    }
  }
  return {
    region,
    clusterName: a.clusterName,
    vpcId,
    ec2: { regions: new Map([[region, { Reservations: reservations, NetworkInterfaces: networkInterfaces, NatGateways: natGateways, Addresses: addresses, RouteTables: routeTables, VpcEndpoints: vpcEndpoints, PrefixLists: prefixLists }]]) },
    eks: { clusters: new Map([[a.clusterName, cluster]]), associations: new Map([[a.clusterName, associations]]) },
    roles,
  };
}
