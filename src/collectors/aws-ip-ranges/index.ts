import type { Collector } from '../types.js';

/**
 * AWS's published address ranges (ip-ranges.json: syncToken, createDate, prefixes, ipv6_prefixes),
 * reference data rather than an event stream: which public addresses belong to AWS, by region and
 * service code. Correlation reads it to recognise a connect to an AWS service through a NAT.
 */
export const awsIpRanges: Collector = {
  source: 'aws-ip-ranges',
  describe: 'AWS ip-ranges.json ({"syncToken", "createDate", "prefixes": [...], "ipv6_prefixes": [...]})',
  detect: (s) => typeof s['syncToken'] === 'string' && typeof s['createDate'] === 'string' && Array.isArray(s['prefixes']),
  input: { mode: 'doc' },
  targets: [{ table: 'aws_ip_ranges', sqlFile: 'aws_ip_ranges.sql' }],
};
