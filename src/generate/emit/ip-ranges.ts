import type { Account } from '../model.js';
import { writeWhole } from '../writer.js';

/**
 * AWS's ip-ranges.json as AWS publishes it (syncToken, createDate, prefixes, ipv6_prefixes; the
 * structure of the Amazon VPC user guide), for the scenario's account: every service's public
 * ranges under AMAZON (S3's also under S3, as AWS lists them), the NATs' addresses under EC2 and
 * AMAZON (Elastic IPs lie in EC2's ranges, with other customers' instances), and a few ranges of
 * other regions. Written to inputs/aws/ip-ranges.json; podtrail recognises it by content.
 */
export const IP_RANGES_FILE = 'inputs/aws/ip-ranges.json';

/** EC2 blocks holding the NATs' Elastic IPs (and other customers' instances). */
export const NAT_BLOCKS = ['44.224.0.0/11', '52.32.0.0/11'];
/** AWS's IPv6 ranges of the region as ipv6_prefixes lists them (services, VPCs, instances). */
export const IPV6_AWS_BLOCKS = ['2600:1f14::/35', '2600:1ff8::/39'];
const OTHER_REGIONS: Array<[string, string, string]> = [
  ['3.5.140.0/22', 'ap-northeast-2', 'AMAZON'],
  ['13.34.37.64/27', 'ap-southeast-4', 'AMAZON'],
  ['15.230.39.0/24', 'us-east-2', 'AMAZON'],
  ['52.219.168.0/24', 'eu-central-1', 'S3'],
];

export function writeIpRanges(root: string, account: Account): string {
  const prefixes: Array<{ ip_prefix: string; region: string; service: string; network_border_group: string }> = [];
  const add = (cidr: string, region: string, service: string): void => {
    prefixes.push({ ip_prefix: cidr, region, service, network_border_group: region });
  };
  for (const [cidr, region, service] of OTHER_REGIONS) {
    add(cidr, region, 'AMAZON');
    if (service !== 'AMAZON') add(cidr, region, service);
  }
  const seen = new Set<string>();
  for (const s of Object.values(account.services).sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))) {
    for (const cidr of s.publicCidrs) {
      if (seen.has(cidr)) continue;
      seen.add(cidr);
      const region = s.region;
      add(cidr, region, 'AMAZON');
      if (s.key === 's3') add(cidr, region, 'S3');
    }
  }
  for (const cidr of NAT_BLOCKS) {
    add(cidr, account.region, 'AMAZON');
    add(cidr, account.region, 'EC2');
  }
  const doc = {
    syncToken: '1792479600',
    createDate: '2026-10-20-07-00-00',
    prefixes,
    ipv6_prefixes: [
      { ipv6_prefix: '2600:1f14::/35', region: account.region, service: 'AMAZON', network_border_group: account.region },
      { ipv6_prefix: '2600:1f14::/35', region: account.region, service: 'EC2', network_border_group: account.region },
      { ipv6_prefix: '2600:1ff8::/39', region: account.region, service: 'S3', network_border_group: account.region },
    ],
  };
  writeWhole(root, IP_RANGES_FILE, JSON.stringify(doc, null, 2) + '\n');
  return IP_RANGES_FILE;
}
