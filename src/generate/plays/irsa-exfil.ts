import type { Human, Node, Pod, Proc } from '../model.js';
import { type Ns, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { aws, container, kube, profile } from '../profiles.js';
import { exit, spawn } from '../runtime/actions.js';
import { execRequest, podTokenRequest } from '../kube/requests.js';
import { assumeRoleWithWebIdentity } from '../cloud/sts.js';
import { awsCall } from '../cloud/aws-call.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { ATTACKER_AGENT, awsCli, command, externalCalls, registerIncident } from './kit.js';

/**
 * irsa-exfil: a person runs `kubectl exec` into one of three billing-api pods (IRSA, same service
 * account on three nodes); from the shell the AWS CLI assumes the pod's role and calls
 * GetSecretValue, ListSecrets, an IAM call that is denied, and PutObject. Later the stolen
 * tokens are used from outside: the Kubernetes token (a forbidden list of secrets) and the web
 * identity token (AssumeRoleWithWebIdentity + GetSecretValue from the attacker's address).
 */

export interface IrsaExfilOptions {
  t0: Ns;
  human: Human;
  /** [victim node, two other nodes]. */
  nodes: [Node, Node, Node];
  attackerIp: string;
  play?: string;
}

export const SECRET_DB = 'prod/billing/db-master';

export function irsaExfil(base: Base, o: IrsaExfilOptions): Play {
  const b = base.b;
  const play = o.play ?? 'irsa-exfil';
  const sa = b.addServiceAccount('payments', 'billing-api', b.irsaRole('payments-billing-api'), b.longAgo(base.span.from));
  const wl = b.addWorkload({
    name: 'billing-api',
    namespace: 'payments',
    sa,
    sdk: 'boto3',
    labels: { app: 'billing-api', 'app.kubernetes.io/name': 'billing-api', 'app.kubernetes.io/part-of': 'payments' },
    containers: [
      container('billing-api', `${OWN_ECR}/payments/billing-api`, '4.12.0', '/usr/local/bin/python3.12', '/usr/local/bin/gunicorn billing.wsgi:application --bind 0.0.0.0:8000 --workers 4', { cwd: '/srv/billing', uid: 10001, ports: [8000] }),
    ],
    profile: profile({
      connectsPerMin: 2,
      peers: [{ workload: 'postgres', port: 5432 }, { workload: 'redis', port: 6379 }],
      aws: [
        aws('sm.GetSecretValue', 0.04, { secretId: 'prod/billing/stripe-api-key' }),
        aws('s3.PutObject', 0.35, { bucket: 'acme-billing-invoices', key: 'invoices/{date}/{uuid}.pdf' }),
        aws('s3.GetObject', 0.15, { bucket: 'acme-billing-invoices', key: 'templates/invoice-v3.html' }),
        aws('ssm.GetParameters', 0.03, { names: '/payments/billing/feature-flags' }),
      ],
      kube: [kube('get-configmap', 0.03, 'billing-api-config')],
    }),
  });
  const pods = o.nodes.map((n) => b.addPod(wl, { node: n, createdNs: b.longAgo(base.span.from) }));
  const victim = pods[0] as Pod;
  const others = pods.slice(1);
  const t0 = o.t0;
  const sessionEnd = t0 + minutes(14) + sec(22);

  return {
    name: play,
    schedule(w: World): void {
      registerIncident(w, play, victim, {
        human: o.human,
        path: 'irsa',
        from: t0,
        to: t0 + minutes(26),
        summary: `${o.human.name} ran kubectl exec into ${victim.name}; the pod's IRSA role read ${SECRET_DB}, listed secrets, was denied an IAM call and uploaded an archive; the pod's tokens were then used from ${o.attackerIp}`,
        attackerIps: [o.attackerIp],
      });
      let shell: Proc | null = null;
      let stolenJti: string | null = null;
      w.sched.at(t0, () => {
        const id = execRequest(w, o.human, victim, 'billing-api', ['/bin/sh'], t0, sessionEnd - t0);
        if (id) w.truth.addIncidentAudit(play, id);
        const c = victim.containers[0];
        if (!c) return;
        shell = spawn(w, victim.node, { pod: victim, container: c, binary: '/bin/sh', args: '', cwd: '/srv/billing', uid: 10001, startNs: t0 + ms(190), parent: victim.state.shim, tty: true });
      });
      const step = (at: Ns, fn: (sh: Proc) => void): void => w.sched.at(at, () => shell && fn(shell));
      step(t0 + sec(6), (sh) => command(w, victim, sh, t0 + sec(6), '/usr/bin/id', '', 3));
      step(t0 + sec(11), (sh) => command(w, victim, sh, t0 + sec(11), '/usr/bin/env', '', 2));
      step(t0 + sec(19), (sh) => {
        stolenJti = victim.state.jti;
        command(w, victim, sh, t0 + sec(19), '/bin/cat', '/var/run/secrets/eks.amazonaws.com/serviceaccount/token', 2);
        command(w, victim, sh, t0 + sec(24), '/bin/cat', '/var/run/secrets/kubernetes.io/serviceaccount/token', 2);
      });
      step(t0 + sec(41), (sh) =>
        awsCli(w, { pod: victim, parent: sh, at: t0 + sec(41), args: `secretsmanager get-secret-value --secret-id ${SECRET_DB}`, uaCommand: 'secretsmanager.get-secret-value', creds: 'irsa', calls: [{ api: 'sm.GetSecretValue', params: { secretId: SECRET_DB } }], play, path: 'irsa' }),
      );
      // Another replica reads its own secret a few seconds later: same role, other node.
      w.sched.at(t0 + sec(44), () => {
        const p = others[0];
        const cred = p?.state.irsa;
        if (!p || !cred || !p.state.main) return;
        awsCall(w, { api: 'sm.GetSecretValue', params: { secretId: 'prod/billing/stripe-api-key' }, cred, caller: { kind: 'proc', proc: p.state.main, fresh: true }, at: t0 + sec(44), userAgent: sdkAgent('boto3', 'secretsmanager'), truth: { madeBy: p.uid, path: 'irsa', why: null, incident: false, play: null } });
      });
      step(t0 + sec(75), (sh) =>
        awsCli(w, { pod: victim, parent: sh, at: t0 + sec(75), args: 'secretsmanager list-secrets', uaCommand: 'secretsmanager.list-secrets', creds: 'irsa', calls: [{ api: 'sm.ListSecrets' }], play, path: 'irsa' }),
      );
      step(t0 + sec(110), (sh) =>
        awsCli(w, {
          pod: victim,
          parent: sh,
          at: t0 + sec(110),
          args: 'iam list-attached-role-policies --role-name payments-billing-api',
          uaCommand: 'iam.list-attached-role-policies',
          creds: 'irsa',
          calls: [
            {
              api: 'iam.ListAttachedRolePolicies',
              params: { roleName: 'payments-billing-api' },
              error: { code: 'AccessDenied', message: `User: arn:aws:sts::${w.account.id}:assumed-role/payments-billing-api/botocore-session is not authorized to perform: iam:ListAttachedRolePolicies on resource: role payments-billing-api because no identity-based policy allows the iam:ListAttachedRolePolicies action` },
            },
          ],
          play,
          path: 'irsa',
        }),
      );
      step(t0 + sec(150), (sh) => command(w, victim, sh, t0 + sec(150), '/bin/tar', 'czf /tmp/.cache/d.tgz /srv/billing/exports', 1800));
      const putAt = t0 + sec(171);
      step(putAt, (sh) =>
        awsCli(w, {
          pod: victim,
          parent: sh,
          at: putAt,
          args: 's3 cp /tmp/.cache/d.tgz s3://acme-billing-invoices/tmp/.sync/d.tgz',
          uaCommand: 's3.cp',
          creds: 'irsa',
          calls: [{ api: 's3.PutObject', params: { bucket: 'acme-billing-invoices', key: 'tmp/.sync/d.tgz' } }],
          play,
          path: 'irsa',
        }),
      );
      // The third replica uploads an invoice in the same seconds.
      w.sched.at(putAt + ms(900), () => {
        const p = others[1];
        const cred = p?.state.irsa;
        if (!p || !cred || !p.state.main) return;
        awsCall(w, { api: 's3.PutObject', params: { bucket: 'acme-billing-invoices', key: `invoices/2026/10/20/${p.name}-late.pdf` }, cred, caller: { kind: 'proc', proc: p.state.main, fresh: true }, at: putAt + ms(900), userAgent: sdkAgent('boto3', 's3'), truth: { madeBy: p.uid, path: 'irsa', why: null, incident: false, play: null } });
      });
      step(t0 + sec(236), (sh) => command(w, victim, sh, t0 + sec(236), '/bin/rm', '-f /tmp/.cache/d.tgz', 2));
      w.sched.at(sessionEnd - ms(300), () => {
        if (shell) exit(w, shell, sessionEnd - ms(300));
      });
      // The lifted tokens, used from the attacker's machine.
      const outside = t0 + minutes(24) + sec(13);
      w.sched.at(outside, () => {
        const saved = victim.state.jti;
        if (stolenJti) victim.state.jti = stolenJti;
        podTokenRequest(w, victim, outside, {
          verb: 'list',
          uri: '/api/v1/namespaces/payments/secrets?limit=500',
          objectRef: { resource: 'secrets', namespace: 'payments', apiVersion: 'v1' },
          code: 403,
          failure: { message: 'secrets is forbidden: User "system:serviceaccount:payments:billing-api" cannot list resource "secrets" in API group "" in the namespace "payments"', reason: 'Forbidden', details: { kind: 'secrets' } },
          userAgent: 'kubectl/v1.30.2 (linux/amd64) kubernetes/3968350',
          fromIp: o.attackerIp,
          incident: true,
          play,
        });
        victim.state.jti = saved;
      });
      const outsideAws = outside + sec(95);
      w.sched.at(outsideAws, () => {
        const truth = { madeBy: null, path: 'irsa' as const, why: 'external-attacker' as const, incident: true, play };
        const issued = assumeRoleWithWebIdentity(w, { pod: victim, caller: { kind: 'external', ip: o.attackerIp }, at: outsideAws, session: `botocore-session-${(outsideAws / 1_000_000_000n).toString()}`, userAgent: ATTACKER_AGENT, truth });
        externalCalls(w, issued.doneAt + sec(3), o.attackerIp, issued.cred, ATTACKER_AGENT, [{ api: 'sm.GetSecretValue', params: { secretId: SECRET_DB } }], play, 'irsa');
      });
    },
  };
}
