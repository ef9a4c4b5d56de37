import type { Node, Pod, Proc, Workload } from '../model.js';
import { type Ns, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { API_SERVER, aws, container, profile } from '../profiles.js';
import { imdsAddr, connect, exit, spawn } from '../runtime/actions.js';
import { nodeRoleCred } from '../cloud/identities.js';
import { awsCall } from '../cloud/aws-call.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { ATTACKER_AGENT, awsCli, externalCalls, registerIncident } from './kit.js';

/**
 * imds-node-role: a pod on a busy node (30 pods) is exploited through its web app; the app's
 * process spawns a shell that reaches IMDS (169.254.169.254, IMDSv2), takes the node role, and
 * calls iam:CreateAccessKey for an IAM user. The new AKIA key is used from the same pod through
 * the NAT that nodes in two AZs share, and later from the attacker's machine. Other pods on the
 * node legitimately use the node role through IMDS at the same time.
 */

export interface ImdsOptions {
  t0: Ns;
  busy: Node;
  /** Nodes for the node-role users elsewhere (behind the same NAT when possible). */
  others: Node[];
  attackerIp: string;
  play?: string;
}

export function imdsNodeRole(base: Base, o: ImdsOptions): Play {
  const b = base.b;
  const play = o.play ?? 'imds-node-role';
  const from = base.span.from;
  const ns = 'analytics';
  const mk = (name: string, binary: string, args: string, prof: ReturnType<typeof profile>, extra: Partial<Parameters<typeof b.addWorkload>[0]> = {}): Workload =>
    b.addWorkload({
      name,
      namespace: ns,
      sa: b.addServiceAccount(ns, name, { kind: 'none' }, b.longAgo(from)),
      containers: [container(name, `${OWN_ECR}/analytics/${name}`, '1.9.4', binary, args, { cwd: '/app', uid: 1000 })],
      profile: prof,
      ...extra,
    });
  const renderer = mk('report-renderer', '/usr/local/bin/node', '/app/server.js', profile({ connectsPerMin: 1.5, peers: [{ workload: 'postgres', port: 5432 }, API_SERVER] }));
  const legacy = mk(
    'legacy-metrics',
    '/usr/local/bin/python3',
    '/app/collector.py --interval 60',
    profile({ connectsPerMin: 0.5, peers: [API_SERVER], imdsPerMin: 0.3, aws: [aws('ec2.DescribeTags', 0.08, { instanceId: '{instanceId}' }, 0.3)] }),
    { usesNodeRole: true, sdk: 'boto3' },
  );
  const etl = mk('etl-runner', '/usr/local/bin/python3', '-m etl.worker', profile({ connectsPerMin: 1, peers: [{ workload: 'postgres', port: 5432 }], jobsPerMin: 0.1, job: { binary: '/usr/local/bin/python3', args: '-m etl.task --shard 3', peers: [{ workload: 'postgres', port: 5432 }] } }));
  const features = mk('feature-store', '/app/feature-store', 'serve --port 8080', profile({ connectsPerMin: 1, peers: [{ workload: 'redis', port: 6379 }] }));
  const notebook = mk('notebook-proxy', '/usr/local/bin/node', '/app/proxy.js', profile({ connectsPerMin: 0.6, peers: [{ workload: 'feature-store', port: 8080 }] }));

  const cluster = b.cluster;
  const onBusy = (): number => cluster.pods.filter((p) => p.node === o.busy).length;
  const victim = b.addPod(renderer, { node: o.busy, createdNs: b.longAgo(from) });
  b.addPod(renderer, { node: o.others[0] ?? o.busy, createdNs: b.longAgo(from) });
  const legacyBusy = b.addPod(legacy, { node: o.busy, createdNs: b.longAgo(from) });
  for (const n of o.others.slice(0, 2)) b.addPod(legacy, { node: n, createdNs: b.longAgo(from) });
  const fillers = [etl, features, notebook, renderer];
  let i = 0;
  while (onBusy() < 30) {
    b.addPod(fillers[i % fillers.length] as Workload, { node: o.busy, createdNs: b.longAgo(from) });
    i++;
  }
  const user = b.addIamUser('svc-reporting');
  const newKey = b.akia();
  const t0 = o.t0;

  return {
    name: play,
    schedule(w: World): void {
      registerIncident(w, play, victim, {
        human: null,
        path: 'node-role',
        from: t0,
        to: t0 + minutes(33),
        summary: `${victim.name} (no pod-level AWS binding) was exploited through its web app, read the node role from IMDS on ${o.busy.name} and created an access key for IAM user ${user.name}; the key was used from the pod through the shared NAT and later from ${o.attackerIp}`,
        attackerIps: [o.attackerIp],
      });
      const c = victim.containers[0] as Pod['containers'][number];
      let sh: Proc | null = null;
      const curl = (at: Ns, args: string): void => {
        if (!sh) return;
        const p = spawn(w, o.busy, { pod: victim, container: c, binary: '/usr/bin/curl', args, cwd: '/app', uid: 1000, startNs: at, parent: sh });
        connect(w, p, at + ms(3), imdsAddr(p), 80, 'imds');
        exit(w, p, at + ms(14));
      };
      w.sched.at(t0, () => {
        const main = victim.state.main;
        if (!main) return;
        sh = spawn(w, o.busy, { pod: victim, container: c, binary: '/bin/sh', args: '-c "curl -s -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds:21600 > /tmp/t; sh /tmp/.r"', cwd: '/app', uid: 1000, startNs: t0, parent: main });
        curl(t0 + ms(9), '-s -X PUT http://169.254.169.254/latest/api/token -H X-aws-ec2-metadata-token-ttl-seconds:21600');
      });
      w.sched.at(t0 + sec(3), () => curl(t0 + sec(3), '-s -H X-aws-ec2-metadata-token:AQAEA... http://169.254.169.254/latest/meta-data/iam/security-credentials/'));
      const stealAt = t0 + sec(5);
      w.sched.at(stealAt, () => curl(stealAt, `-s -H X-aws-ec2-metadata-token:AQAEA... http://169.254.169.254/latest/meta-data/iam/security-credentials/${w.account.nodeRole.name}`));
      const createAt = t0 + sec(41);
      w.sched.at(createAt, () => {
        if (!sh) return;
        const stolen = nodeRoleCred(w.account, o.busy, stealAt, w.rng);
        awsCli(w, {
          pod: victim,
          parent: sh,
          at: createAt,
          args: `iam create-access-key --user-name ${user.name}`,
          uaCommand: 'iam.create-access-key',
          creds: stolen,
          calls: [{ api: 'iam.CreateAccessKey', params: { userName: user.name, newKey } }],
          play,
          path: 'node-role',
        });
      });
      // The node-role collector on the same node calls EC2 in the same seconds, with the same identity.
      w.sched.at(createAt + ms(700), () => {
        const main = legacyBusy.state.main;
        if (!main) return;
        awsCall(w, {
          api: 'ec2.DescribeTags',
          params: { instanceId: o.busy.instanceId },
          cred: nodeRoleCred(w.account, o.busy, createAt, w.rng),
          caller: { kind: 'proc', proc: main, fresh: true },
          at: createAt + ms(700),
          userAgent: sdkAgent('boto3', 'ec2'),
          truth: { madeBy: legacyBusy.uid, path: 'node-role', why: null, incident: false, play: null },
        });
      });
      const akia = { kind: 'iam-user' as const, keyId: newKey, role: null, session: null, creationNs: null, user, node: null };
      const uses: Array<[number, string, string, Parameters<typeof awsCli>[1]['calls']]> = [
        [72, `iam list-attached-user-policies --user-name ${user.name}`, 'iam.list-attached-user-policies', [{ api: 'iam.ListAttachedUserPolicies', params: { userName: user.name } }]],
        [96, 'ec2 describe-instances', 'ec2.describe-instances', [{ api: 'ec2.DescribeInstances' }]],
        [121, 'secretsmanager list-secrets', 'secretsmanager.list-secrets', [{ api: 'sm.ListSecrets' }]],
      ];
      for (const [s, args, ua, calls] of uses) {
        w.sched.at(t0 + sec(s), () => {
          if (sh) awsCli(w, { pod: victim, parent: sh, at: t0 + sec(s), args, uaCommand: ua, creds: akia, calls, play, path: 'static-key' });
        });
      }
      w.sched.at(t0 + sec(140), () => {
        if (sh) exit(w, sh, t0 + sec(140));
      });
      const outside = t0 + minutes(31) + sec(7);
      w.sched.at(outside, () =>
        externalCalls(w, outside, o.attackerIp, akia, ATTACKER_AGENT, [{ api: 'iam.ListUsers' }, { api: 's3.ListBuckets' }, { api: 'sm.GetSecretValue', params: { secretId: 'prod/analytics/warehouse-admin' } }], play, 'static-key'),
      );
    },
  };
}
