import type { Collector } from '../types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The AWS network and identity inventory, in the AWS CLI's JSON output shape (the SDK's output is
 * the same): `aws ec2 describe-instances | describe-network-interfaces | describe-nat-gateways |
 * describe-addresses | describe-route-tables | describe-vpc-endpoints | describe-prefix-lists`,
 * `aws eks describe-cluster | describe-pod-identity-association | list-pod-identity-associations`
 * and `aws iam get-role`, as `podtrail collect aws --cluster` writes them or an analyst saved them.
 * A snapshot: the instant it was seen travels in the file name (or --snapshot-at), the region too
 * (EC2 answers do not name it).
 */
export const AWS_INVENTORY_KEYS = ['Reservations', 'NetworkInterfaces', 'NatGateways', 'Addresses', 'RouteTables', 'VpcEndpoints', 'PrefixLists'] as const;

export function isAwsInventory(s: Obj): boolean {
  if (AWS_INVENTORY_KEYS.some((k) => Array.isArray(s[k]))) return true;
  if (isObj(s['cluster']) && typeof s['cluster']['arn'] === 'string') return true;
  if (isObj(s['association']) && typeof s['association']['associationArn'] === 'string') return true;
  if (Array.isArray(s['associations'])) return true;
  return isObj(s['Role']) && typeof s['Role']['Arn'] === 'string';
}

export const awsInventory: Collector = {
  source: 'aws-inventory',
  describe:
    'AWS network and identity inventory as the AWS CLI prints it (ec2 describe-instances, -network-interfaces, -nat-gateways, -addresses, -route-tables, -vpc-endpoints, -prefix-lists; eks describe-cluster, describe-pod-identity-association; iam get-role), the instant in the file name or --snapshot-at',
  detect: isAwsInventory,
  input: { mode: 'doc' },
  needsSnapshot: true,
  targets: [
    { table: 'aws_instances', sqlFile: 'aws_instances.sql' },
    { table: 'aws_network_interfaces', sqlFile: 'aws_network_interfaces.sql' },
    { table: 'aws_nat_gateways', sqlFile: 'aws_nat_gateways.sql' },
    { table: 'aws_elastic_ips', sqlFile: 'aws_elastic_ips.sql' },
    { table: 'aws_route_tables', sqlFile: 'aws_route_tables.sql' },
    { table: 'aws_vpc_endpoints', sqlFile: 'aws_vpc_endpoints.sql' },
    { table: 'aws_prefix_lists', sqlFile: 'aws_prefix_lists.sql' },
    { table: 'aws_eks_clusters', sqlFile: 'aws_eks_clusters.sql' },
    { table: 'aws_pod_identity_associations', sqlFile: 'aws_pod_identity_associations.sql' },
    { table: 'aws_iam_roles', sqlFile: 'aws_iam_roles.sql' },
  ],
};
