import type { Node } from '../model.js';
import { type Ns, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { aws, container, kube, profile } from '../profiles.js';
import { exit, spawn } from '../runtime/actions.js';
import { assumeRoleWithWebIdentity, irsaSessionName } from '../cloud/sts.js';
import { awsCall } from '../cloud/aws-call.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { registerIncident } from './kit.js';

/**
 * churn: identities that move. session-cache-0 (a StatefulSet pod, EKS Pod Identity) is deleted
 * and comes back under the same name with a new UID on another node. storefront gets a canary
 * whose image is the same tag with a new digest (the tag was re-pushed); the canary pod takes the
 * IP address of the storefront pod it replaced, 35 seconds after that pod is gone, and it is the
 * one that misbehaves: it reads the payment secret and copies customer exports.
 */

export interface ChurnOptions {
  t0: Ns;
  /** [storefront node (old pod, then the canary with its IP), second storefront node, cache old node, cache new node]. */
  nodes: [Node, Node, Node, Node];
  play?: string;
}

export function churn(base: Base, o: ChurnOptions): Play {
  const b = base.b;
  const play = o.play ?? 'churn';
  const from = base.span.from;
  const storefront = b.addWorkload({
    name: 'storefront',
    namespace: 'storefront',
    sa: b.addServiceAccount('storefront', 'storefront', b.irsaRole('storefront-web'), b.longAgo(from)),
    sdk: 'boto3',
    labels: { app: 'storefront', 'app.kubernetes.io/name': 'storefront' },
    containers: [container('storefront', `${OWN_ECR}/storefront/web`, '2.3.0', '/usr/local/bin/python3.12', '/usr/local/bin/gunicorn storefront.app:app -b 0.0.0.0:8080', { cwd: '/srv/app', uid: 10001 })],
    profile: profile({
      connectsPerMin: 3,
      peers: [{ workload: 'catalog', port: 8080 }, { workload: 'session-cache', port: 6379 }],
      aws: [aws('sm.GetSecretValue', 0.03, { secretId: 'prod/storefront/session-key' }), aws('s3.GetObject', 0.2, { bucket: 'acme-storefront-assets', key: 'static/{uuid}.js' })],
    }),
  });
  const cache = b.addWorkload({
    kind: 'StatefulSet',
    name: 'session-cache',
    namespace: 'storefront',
    sa: b.addServiceAccount('storefront', 'session-cache', b.podIdentityRole('storefront-session-cache'), b.longAgo(from)),
    sdk: 'go-v2',
    labels: { app: 'session-cache', 'app.kubernetes.io/name': 'session-cache' },
    containers: [container('session-cache', `${OWN_ECR}/storefront/session-cache`, '1.4.0', '/usr/local/bin/session-cache', '--listen :6379 --snapshot s3://acme-storefront-assets/cache/', { uid: 999 })],
    profile: profile({
      connectsPerMin: 0.5,
      peers: [{ workload: 'catalog', port: 8080 }],
      aws: [aws('s3.PutObject', 0.1, { bucket: 'acme-storefront-assets', key: 'cache/snapshots/{uuid}.rdb' })],
      kube: [kube('get-configmap', 0.02, 'session-cache-config')],
    }),
  });
  const t0 = o.t0;
  const [nA, nB, nC, nD] = o.nodes;
  const old = b.addPod(storefront, { node: nA, createdNs: b.longAgo(from), deletedNs: t0 + sec(2) });
  b.addPod(storefront, { node: nB, createdNs: b.longAgo(from) });
  const canary = b.addPod(storefront, { node: nA, createdNs: t0 + sec(37), ip: old.ip }, 1);
  const cacheGone = t0 - minutes(20);
  b.addPod(cache, { node: nC, createdNs: b.longAgo(from), deletedNs: cacheGone, name: 'session-cache-0' });
  b.addPod(cache, { node: nD, createdNs: cacheGone + sec(48), name: 'session-cache-0' });

  return {
    name: play,
    schedule(w: World): void {
      const start = canary.startedNs;
      registerIncident(w, play, canary, {
        human: null,
        path: 'irsa',
        from: start,
        to: start + minutes(6),
        summary: `canary ${canary.name} runs storefront:2.3.0 re-pushed with a new digest, on the IP ${canary.ip} that ${old.name} held until it was deleted 35 s before; it read the payment secret and copied customer exports`,
        attackerIps: [],
      });
      // The replaced pod was making ordinary calls from that IP just before it went away.
      w.sched.at(t0 - sec(95), () => {
        const cred = old.state.irsa;
        if (!cred || !old.state.main) return;
        awsCall(w, { api: 'sm.GetSecretValue', params: { secretId: 'prod/storefront/session-key' }, cred, caller: { kind: 'proc', proc: old.state.main, fresh: true }, at: t0 - sec(95), userAgent: sdkAgent('boto3', 'secretsmanager'), truth: { madeBy: old.uid, path: 'irsa', why: null, incident: false, play: null } });
      });
      const go = start + sec(124);
      w.sched.at(go, () => {
        const main = canary.state.main;
        const c = canary.containers[0];
        if (!main || !c) return;
        const p = spawn(w, canary.node, { pod: canary, container: c, binary: '/usr/local/bin/python3.12', args: '-c exec(__import__("base64").b64decode("aW1wb3J0IGJvdG8z..."))', cwd: '/srv/app', uid: 10001, startNs: go, parent: main });
        const truth = { madeBy: canary.uid, path: 'irsa' as const, why: null, incident: true, play };
        const ua = sdkAgent('boto3', 'sts');
        const issued = assumeRoleWithWebIdentity(w, { pod: canary, caller: { kind: 'proc', proc: p, fresh: true }, at: go + ms(240), session: irsaSessionName('boto3', go), userAgent: ua, truth });
        let t = issued.doneAt;
        const calls: Array<[Parameters<typeof awsCall>[1]['api'], Record<string, string>]> = [
          ['sm.GetSecretValue', { secretId: 'prod/storefront/payment-gateway' }],
          ['s3.GetObject', { bucket: 'acme-customer-exports', key: 'daily/2026-10-19/customers.csv.gz' }],
          ['s3.GetObject', { bucket: 'acme-customer-exports', key: 'daily/2026-10-19/orders.csv.gz' }],
          ['s3.PutObject', { bucket: 'acme-storefront-assets', key: 'static/.cache/x.bin' }],
        ];
        for (const [api, params] of calls) {
          t = awsCall(w, { api, params, cred: issued.cred, caller: { kind: 'proc', proc: p, fresh: true }, at: t + ms(30), userAgent: ua, truth }).doneAt;
        }
        exit(w, p, t + ms(50));
      });
    },
  };
}

