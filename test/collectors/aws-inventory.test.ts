/**
 * AWS inventory landing (sql/20_land/aws_*.sql) from the AWS CLI's JSON: delegated prefixes and
 * secondary addresses, a trust policy URL-encoded (the API, the SDK) or decoded (the CLI), and bad
 * input: elements without their id or not objects are rejected with a reason, the rest lands; a
 * file without its instant is refused, naming the fix.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query, tempDir } from '../helpers/case.js';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

function files(map: Record<string, unknown>): string {
  const t = tempDir('podtrail-awsinv-');
  cleanups.push(t.cleanup);
  for (const [name, doc] of Object.entries(map)) writeFileSync(path.join(t.dir, name), typeof doc === 'string' ? doc : JSON.stringify(doc, null, 4));
  return t.dir;
}

const TRUST = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/ABC' }, Action: 'sts:AssumeRoleWithWebIdentity', Condition: { StringLike: { 'oidc.eks.us-west-2.amazonaws.com/id/ABC:sub': 'system:serviceaccount:payments:*' } } }] };

describe('AWS inventory from the AWS CLI', () => {
  it('lands interfaces with every address kind, rejects bad elements with a reason, lands the rest', async () => {
    const c = makeCase();
    cleanups.push(c.cleanup);
    const dir = files({
      'ec2-describe-network-interfaces-us-west-2-2026-10-20T09-40-00Z.json': {
        NetworkInterfaces: [
          { NetworkInterfaceId: 'eni-1', InterfaceType: 'interface', VpcId: 'vpc-1', SubnetId: 'subnet-1', PrivateIpAddress: '10.0.1.10', Attachment: { InstanceId: 'i-1', DeviceIndex: 0 },
            PrivateIpAddresses: [{ PrivateIpAddress: '10.0.1.10', Primary: true, Association: { PublicIp: '54.1.2.3' } }, { PrivateIpAddress: '10.0.1.11', Primary: false }],
            Ipv4Prefixes: [{ Ipv4Prefix: '10.0.1.48/28' }], Ipv6Addresses: [{ Ipv6Address: '2600:1f14::10' }], Ipv6Prefixes: [{ Ipv6Prefix: '2600:1f14:0:1::/80' }] },
          { InterfaceType: 'interface', PrivateIpAddress: '10.0.1.20' },
          'eni-2',
        ],
      },
      'iam-get-role-encoded-2026-10-20T09-40-00Z.json': { Role: { RoleName: 'encoded', RoleId: 'AROAX', Arn: 'arn:aws:iam::111122223333:role/encoded', Path: '/', CreateDate: '2026-01-05T10:00:00Z', AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(TRUST)) } },
      'iam-get-role-decoded-2026-10-20T09-40-00Z.json': { Role: { RoleName: 'decoded', RoleId: 'AROAY', Arn: 'arn:aws:iam::111122223333:role/decoded', Path: '/', CreateDate: '2026-01-05T10:00:00+00:00', AssumeRolePolicyDocument: TRUST } },
      'iam-get-role-broken-2026-10-20T09-40-00Z.json': { Role: { RoleName: 'broken', Arn: 'arn:aws:iam::111122223333:role/broken', AssumeRolePolicyDocument: '%7Bnot%20json' } },
    });
    const r = await ingest(c.caseDir, [dir]);
    expect(r.files.map((f) => f.status)).toEqual(['landed', 'landed', 'landed', 'landed']);
    const eni = await query(c.caseDir, `select eni_id, instance_id, primary_ip, secondary_ips, ipv4_prefixes, ipv6_addresses, ipv6_prefixes, public_ips, region, snapshot_at::VARCHAR as seen from aws_network_interfaces`);
    expect(eni).toEqual([{ eni_id: 'eni-1', instance_id: 'i-1', primary_ip: '10.0.1.10', secondary_ips: ['10.0.1.11'], ipv4_prefixes: ['10.0.1.48/28'], ipv6_addresses: ['2600:1f14::10'], ipv6_prefixes: ['2600:1f14:0:1::/80'], public_ips: ['54.1.2.3'], region: 'us-west-2', seen: '2026-10-20 09:40:00' }]);
    const rejects = await query(c.caseDir, `select record_path, reason from ingest_rejects order by record_path`);
    expect(rejects).toEqual([
      { record_path: '/NetworkInterfaces/1', reason: 'unknown_shape' },
      { record_path: '/NetworkInterfaces/2', reason: 'invalid_envelope' },
      { record_path: '/Role', reason: 'unknown_shape' },
    ]);
    const roles = await query(c.caseDir, `select role_name, trust_policy::VARCHAR as t from aws_iam_roles order by 1`);
    expect(roles.map((x) => x['role_name'])).toEqual(['decoded', 'encoded']);
    expect(roles[0]!['t']).toBe(roles[1]!['t']);
    const trust = await query(c.caseDir, `select role_arn, principal_kind, subjects from int_cloud__role_trust order by 1`);
    expect(trust.map((x) => x['subjects'])).toEqual([['system:serviceaccount:payments:*'], ['system:serviceaccount:payments:*']]);
  });

  it('refuses an inventory file without its instant, saying how to give it', async () => {
    const c = makeCase();
    cleanups.push(c.cleanup);
    const dir = files({ 'nat.json': { NatGateways: [{ NatGatewayId: 'nat-1', State: 'available', NatGatewayAddresses: [{ PublicIp: '54.1.2.3' }] }] } });
    const r = await ingest(c.caseDir, [dir]);
    expect(r.files[0]).toMatchObject({ status: 'refused', message: expect.stringMatching(/snapshot.*--snapshot-at/) });
    const ok = await ingest(c.caseDir, [dir], { snapshotAt: '2026-10-20T09:40:00Z' });
    expect(ok.files[0]!.status).toBe('landed');
    expect(await query(c.caseDir, `select nat_gateway_id, public_ips, connectivity_type from aws_nat_gateways`)).toEqual([{ nat_gateway_id: 'nat-1', public_ips: ['54.1.2.3'], connectivity_type: 'public' }]);
  });
});
