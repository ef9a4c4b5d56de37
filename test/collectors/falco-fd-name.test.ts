/**
 * Falco alerts that print only fd.name (client:port->server:port), as the stock "Contact EC2
 * Instance Metadata Service From Container" rule does, land with their destination; the k8smeta
 * plugin's fields name the pod when k8s.* is absent; command lines lose the IMDSv2 token header
 * (X-aws-ec2-metadata-token) and other token headers, and keep the TTL header and a $VARIABLE.
 * Alerts hand-written in Falco's json_output shape (design/formats.md, Falco).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { ingest, makeCase, query } from '../helpers/case.js';
import { redactExcerpt } from '../../src/ingest/excerpt.js';

const TOKEN = 'AQAEAHTyQbVgGSGpsGZrvZ8Ho7vV7Yw9aExampleImdsV2TokenValue==';
const VAULT = 's.Xq7ExampleVaultTokenValue';
const marker = (v: string): string => `[REDACTED sha256:${createHash('sha256').update(v).digest('hex').slice(0, 12)}]`;

function alert(o: { rule: string; time: string; fields: Record<string, unknown> }): string {
  return JSON.stringify({
    hostname: 'ip-10-0-12-34.us-west-2.compute.internal',
    output: `${o.time.slice(11, 19)}: Notice ${o.rule}`,
    output_fields: o.fields,
    priority: 'Notice',
    rule: o.rule,
    source: 'syscall',
    tags: ['aws', 'network'],
    time: o.time,
  });
}

const IMDS_RULE = 'Contact EC2 Instance Metadata Service From Container';
const ALERTS = [
  // the stock rule prints connection=%fd.name lport=%fd.lport rport=%fd.rport and the pod via k8smeta
  alert({
    rule: IMDS_RULE,
    time: '2026-10-20T09:10:00.123456789Z',
    fields: {
      'fd.name': '10.0.12.77:40112->169.254.169.254:80', 'fd.lport': 40112, 'fd.rport': 80,
      'k8smeta.ns.name': 'payments', 'k8smeta.pod.name': 'checkout-6d9f7c8b5-x2x7q', 'k8smeta.pod.uid': 'a1b2c3d4-0000-4000-8000-000000000001',
      'container.id': '3f9c2e1a7b4d', 'proc.pid': 48213,
      'proc.cmdline': `curl -s -H X-aws-ec2-metadata-token:${TOKEN} http://169.254.169.254/latest/meta-data/iam/security-credentials/`,
    },
  }),
  // IPv6 metadata service, fd.name with bare IPv6 addresses
  alert({
    rule: IMDS_RULE,
    time: '2026-10-20T09:11:00Z',
    fields: {
      'fd.name': 'fd00:10:0:12::77:40114->fd00:ec2::254:80',
      'k8s.ns.name': 'payments', 'k8s.pod.name': 'checkout-6d9f7c8b5-x2x7q', 'k8smeta.pod.uid': 'a1b2c3d4-0000-4000-8000-000000000001',
      'proc.cmdline': `curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" -H 'X-aws-ec2-metadata-token: $TOKEN' http://[fd00:ec2::254]/latest/api/token`,
    },
  }),
  // bracketed IPv6 in fd.name; a Vault token header
  alert({
    rule: 'Unexpected outbound connection destination',
    time: '2026-10-20T09:12:00Z',
    fields: {
      'evt.type': 'connect', 'fd.name': '[2001:db8::5]:51000->[2001:db8:1::10]:8200',
      'k8smeta.ns.name': 'vault', 'k8smeta.pod.name': 'agent-0',
      'proc.cmdline': `curl --header "X-Vault-Token: ${VAULT}" https://vault:8200/v1/secret/data/db`,
    },
  }),
];

let caseDir: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ caseDir, cleanup } = makeCase());
  const file = path.join(path.dirname(caseDir), 'falco-alerts.jsonl');
  writeFileSync(file, ALERTS.join('\n') + '\n');
  const r = await ingest(caseDir, [file]);
  expect(r.files.map((f) => [f.source, f.status])).toEqual([['falco', 'landed']]);
}, 60_000);

afterAll(() => cleanup?.());

describe('Falco fd.name and k8smeta', () => {
  it('lands the destination and the client from fd.name, and the pod from k8smeta.* beside k8s.*', async () => {
    const r = await query(caseDir, `select kind, src_ip, src_port, dst_ip, dst_port, pod_namespace, pod_name, pod_uid from runtime_events order by ts`);
    expect(r).toEqual([
      { kind: 'connect', src_ip: '10.0.12.77', src_port: 40112, dst_ip: '169.254.169.254', dst_port: 80, pod_namespace: 'payments', pod_name: 'checkout-6d9f7c8b5-x2x7q', pod_uid: 'a1b2c3d4-0000-4000-8000-000000000001' },
      { kind: 'connect', src_ip: 'fd00:10:0:12::77', src_port: 40114, dst_ip: 'fd00:ec2::254', dst_port: 80, pod_namespace: 'payments', pod_name: 'checkout-6d9f7c8b5-x2x7q', pod_uid: 'a1b2c3d4-0000-4000-8000-000000000001' },
      { kind: 'connect', src_ip: '2001:db8::5', src_port: 51000, dst_ip: '2001:db8:1::10', dst_port: 8200, pod_namespace: 'vault', pod_name: 'agent-0', pod_uid: null },
    ]);
  });
});

describe('token headers in command lines', () => {
  it('redacts the IMDSv2 token header and a Vault token header; keeps the TTL header and a shell variable', async () => {
    const r = (await query(caseDir, `select arguments from runtime_events order by ts`)).map((x) => String(x['arguments']));
    expect(r[0]).toBe(`curl -s -H X-aws-ec2-metadata-token:${marker(TOKEN)} http://169.254.169.254/latest/meta-data/iam/security-credentials/`);
    expect(r[1]).toBe(`curl -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 21600" -H 'X-aws-ec2-metadata-token: $TOKEN' http://[fd00:ec2::254]/latest/api/token`);
    expect(r[2]).toBe(`curl --header "X-Vault-Token: ${marker(VAULT)}" https://vault:8200/v1/secret/data/db`);
    expect(r.join('\n')).not.toContain(TOKEN);
  });

  it('reject excerpts redact them the same way', () => {
    expect(redactExcerpt(`"proc.cmdline":"curl -H X-aws-ec2-metadata-token: ${TOKEN} http://169.254.169.254/"`)).toBe(
      `"proc.cmdline":"curl -H X-aws-ec2-metadata-token: ${marker(TOKEN)} http://169.254.169.254/"`,
    );
  });
});
