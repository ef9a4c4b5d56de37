import type { Human, Node, Pod, Proc } from '../model.js';
import { type Ns, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { aws, container, kube, profile } from '../profiles.js';
import { agentAddr, connect, exit, spawn } from '../runtime/actions.js';
import { execRequest } from '../kube/requests.js';
import { awsCall } from '../cloud/aws-call.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { ATTACKER_AGENT, awsCli, command, externalCalls, registerIncident } from './kit.js';

/**
 * pod-identity: the same attack on a workload bound through EKS Pod Identity. ledger-worker rolls
 * out early in the span (so each new pod's eks-auth + pods.eks AssumeRole pair is in the trail,
 * with the pod UID in its session tags); a person execs into one pod and the AWS CLI takes the
 * pod's cached credentials from the node agent (no new STS event), reads a secret and uploads
 * an object. The credentials, printed by curl, are later used from outside.
 */

export interface PodIdentityOptions {
  t0: Ns;
  human: Human;
  nodes: [Node, Node, Node];
  attackerIp: string;
  /** When the Deployment rolls out (new pods, fresh credentials in the trail). */
  rolloutAt: Ns;
  play?: string;
}

export const LEDGER_SECRET = 'prod/ledger/postgres-admin';

export function podIdentity(base: Base, o: PodIdentityOptions): Play {
  const b = base.b;
  const play = o.play ?? 'pod-identity';
  const sa = b.addServiceAccount('finance', 'ledger-worker', b.podIdentityRole('finance-ledger-worker'), b.longAgo(base.span.from));
  const wl = b.addWorkload({
    name: 'ledger-worker',
    namespace: 'finance',
    sa,
    sdk: 'java',
    labels: { app: 'ledger-worker', 'app.kubernetes.io/name': 'ledger-worker', 'app.kubernetes.io/part-of': 'finance' },
    containers: [container('ledger-worker', `${OWN_ECR}/finance/ledger-worker`, '7.3.1', '/opt/java/openjdk/bin/java', '-XX:MaxRAMPercentage=75 -jar /app/ledger-worker.jar', { cwd: '/app', uid: 1001 })],
    profile: profile({
      connectsPerMin: 2,
      peers: [{ workload: 'postgres', port: 5432 }],
      aws: [
        aws('sm.GetSecretValue', 0.04, { secretId: 'prod/ledger/postgres-app' }),
        aws('s3.GetObject', 0.25, { bucket: 'acme-ledger-archive', key: 'statements/{date}/{uuid}.parquet' }),
        aws('s3.PutObject', 0.15, { bucket: 'acme-ledger-archive', key: 'journal/{date}/{uuid}.parquet' }),
      ],
      kube: [kube('lease', 0.25, 'ledger-worker-leader')],
    }),
  });
  const from = base.span.from;
  const pods: Pod[] = [];
  o.nodes.forEach((n, i) => {
    const oldNode = o.nodes[(i + 1) % 3] as Node;
    b.addPod(wl, { node: oldNode, createdNs: b.longAgo(from), deletedNs: o.rolloutAt + sec(50 + i * 40) });
    pods.push(b.addPod(wl, { node: n, createdNs: o.rolloutAt + sec(i * 40) }, 1));
  });
  const victim = pods[0] as Pod;
  const t0 = o.t0;
  const sessionEnd = t0 + minutes(9) + sec(48);

  return {
    name: play,
    schedule(w: World): void {
      registerIncident(w, play, victim, {
        human: o.human,
        path: 'pod-identity',
        from: t0,
        to: t0 + minutes(22),
        summary: `${o.human.name} ran kubectl exec into ${victim.name}; with the pod's EKS Pod Identity credentials the CLI read ${LEDGER_SECRET} and uploaded an object; the credentials were then used from ${o.attackerIp}`,
        attackerIps: [o.attackerIp],
      });
      let shell: Proc | null = null;
      w.sched.at(t0, () => {
        const id = execRequest(w, o.human, victim, 'ledger-worker', ['sh', '-c', 'TERM=xterm-256color; export TERM; exec sh'], t0, sessionEnd - t0);
        if (id) w.truth.addIncidentAudit(play, id);
        const c = victim.containers[0];
        if (!c) return;
        shell = spawn(w, victim.node, { pod: victim, container: c, binary: '/bin/sh', args: '-c TERM=xterm-256color; export TERM; exec sh', cwd: '/app', uid: 1001, startNs: t0 + ms(210), parent: victim.state.shim, tty: true });
      });
      const step = (at: Ns, fn: (sh: Proc) => void): void => w.sched.at(at, () => shell && fn(shell));
      step(t0 + sec(9), (sh) => command(w, victim, sh, t0 + sec(9), '/usr/bin/env', '', 2));
      step(t0 + sec(27), (sh) => {
        const c = victim.containers[0];
        if (!c) return;
        const curl = spawn(w, victim.node, { pod: victim, container: c, binary: '/usr/bin/curl', args: '-s -H "Authorization: eyJhbGciOiJSUzI1NiIs..." http://169.254.170.23/v1/credentials', cwd: sh.cwd, uid: sh.uid, startNs: t0 + sec(27), parent: sh });
        connect(w, curl, t0 + sec(27) + ms(6), agentAddr(curl), 80, 'plain');
        exit(w, curl, t0 + sec(27) + ms(40));
      });
      step(t0 + sec(52), (sh) =>
        awsCli(w, { pod: victim, parent: sh, at: t0 + sec(52), args: `secretsmanager get-secret-value --secret-id ${LEDGER_SECRET}`, uaCommand: 'secretsmanager.get-secret-value', creds: 'pod-identity', calls: [{ api: 'sm.GetSecretValue', params: { secretId: LEDGER_SECRET } }], play, path: 'pod-identity' }),
      );
      w.sched.at(t0 + sec(55), () => {
        const p = pods[1];
        const cred = p?.state.podIdentity;
        if (!p || !cred || !p.state.main) return;
        awsCall(w, { api: 'sm.GetSecretValue', params: { secretId: 'prod/ledger/postgres-app' }, cred, caller: { kind: 'proc', proc: p.state.main, fresh: true }, at: t0 + sec(55), userAgent: sdkAgent('java', 'secretsmanager'), truth: { madeBy: p.uid, path: 'pod-identity', why: null, incident: false, play: null } });
      });
      step(t0 + sec(96), (sh) => command(w, victim, sh, t0 + sec(96), '/usr/bin/gzip', '-c /app/data/ledger-export.csv', 1400));
      step(t0 + sec(118), (sh) =>
        awsCli(w, {
          pod: victim,
          parent: sh,
          at: t0 + sec(118),
          args: 's3 cp /tmp/l.gz s3://acme-ledger-archive/journal/.tmp/l.gz',
          uaCommand: 's3.cp',
          creds: 'pod-identity',
          calls: [{ api: 's3.PutObject', params: { bucket: 'acme-ledger-archive', key: 'journal/.tmp/l.gz' } }],
          play,
          path: 'pod-identity',
        }),
      );
      w.sched.at(sessionEnd - ms(250), () => {
        if (shell) exit(w, shell, sessionEnd - ms(250));
      });
      const outside = t0 + minutes(19) + sec(31);
      w.sched.at(outside, () => {
        const cred = victim.state.podIdentity;
        if (!cred) return;
        externalCalls(w, outside, o.attackerIp, cred, ATTACKER_AGENT, [{ api: 'sm.ListSecrets' }, { api: 'sm.GetSecretValue', params: { secretId: LEDGER_SECRET } }], play, 'pod-identity');
      });
    },
  };
}
