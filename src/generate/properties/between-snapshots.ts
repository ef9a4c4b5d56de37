import type { Node, Owner, Pod } from '../model.js';
import { type Ns, NS_PER_S, minutes, ms, sec } from '../ns-time.js';
import type { Play, World } from '../world.js';
import type { Base } from '../base-cluster.js';
import { OWN_ECR } from '../base-cluster.js';
import { container, profile } from '../profiles.js';
import { Rng } from '../prng.js';
import { uuid } from '../ids.js';
import { awsCall } from '../cloud/aws-call.js';
import { sdkAgent } from '../cloud/user-agents.js';
import { exit } from '../runtime/actions.js';
import type { ApiName } from '../model.js';

/**
 * Property "pods between snapshots": a CronJob whose Job pods live about 40 seconds and are gone
 * before the next inventory snapshot, so no snapshot ever lists them. The job controller creates
 * each pod with metadata.generateName (the audit create's objectRef has no name; the name and UID
 * are in responseObject, the service account in spec.serviceAccountName), the scheduler binds it
 * (the node is the binding's target), the kubelet asks for its tokens, its container starts, the
 * SDK exchanges the IRSA token (AssumeRoleWithWebIdentity), the job reads a parameter and a secret
 * and writes an export, the container exits, and the garbage collector deletes the pod once its
 * Job finished. Its lifecycle, node, service account and addresses exist only in audit and runtime
 * evidence. Runs start every `everyMin` minutes; a run that would be alive at a snapshot is skipped.
 */

export interface BetweenSnapshotsOptions {
  namespace: string;
  name?: string;
  /** First and last scheduled run (inclusive). */
  from: Ns;
  to: Ns;
  everyMin: number;
  /** Nodes the runs are scheduled on, in turn. */
  nodes: Node[];
  snapshots: Ns[];
}

const LIFE_S = 40;

/** The pod was never running at a snapshot: created after one and deleted before the next. */
export function betweenSnapshots(p: Pod, snapshots: readonly Ns[]): boolean {
  if (p.owner.kind !== 'Job' || p.deletedNs === null) return false;
  return !snapshots.some((s) => s >= p.createdNs && s < (p.deletedNs as Ns));
}

export function cronJobBetweenSnapshots(base: Base, seed: number, o: BetweenSnapshotsOptions): Play {
  const b = base.b;
  const rng = Rng.stream(seed, 'between-snapshots');
  const name = o.name ?? 'report-export';
  const from = base.span.from;
  const wl = b.addWorkload({
    kind: 'CronJob',
    name,
    namespace: o.namespace,
    sa: b.addServiceAccount(o.namespace, name, b.irsaRole(`${o.namespace}-${name}`), b.longAgo(from)),
    sdk: 'boto3',
    labels: { app: name, 'app.kubernetes.io/name': name },
    containers: [container(name, `${OWN_ECR}/${o.namespace}/${name}`, '0.9.2', '/usr/local/bin/python3.12', '-m exporter.run --since 20m', { cwd: '/app', uid: 10001 })],
    profile: profile({}),
  });
  const pods: Pod[] = [];
  let i = 0;
  for (let t = o.from; t <= o.to; t += minutes(o.everyMin)) {
    const created = t + ms(300 + rng.int(900));
    const deleted = created + sec(LIFE_S + rng.int(6));
    if (o.snapshots.some((s) => s >= created - sec(5) && s < deleted + sec(5))) continue;
    const job = `${name}-${(t / NS_PER_S / 60n).toString()}`;
    const owner: Owner = { kind: 'Job', name: job, uid: uuid(rng), hash: null };
    const node = o.nodes[i++ % o.nodes.length] as Node;
    pods.push(b.addPod(wl, { node, createdNs: created, deletedNs: deleted, owner }));
  }
  const calls: Array<[ApiName, Record<string, string>]> = [
    ['ssm.GetParameters', { names: `/${o.namespace}/${name}/config` }],
    ['sm.GetSecretValue', { secretId: `prod/${o.namespace}/${name}` }],
    ['s3.PutObject', { bucket: `acme-${o.namespace}-exports`, key: `reports/{uuid}.csv.gz` }],
  ];
  return {
    name,
    schedule(w: World): void {
      for (const pod of pods) {
        // the IRSA exchange happens at start (lifecycle); the job's calls follow, then the container exits
        const go = pod.startedNs + sec(5) + ms(rng.int(2000));
        w.sched.at(go, () => {
          const main = pod.state.main;
          const cred = pod.state.irsa;
          if (!main || !cred) return;
          let at = go;
          for (const [api, params] of calls) {
            at = awsCall(w, { api, params, cred, caller: { kind: 'proc', proc: main, fresh: true }, at, userAgent: sdkAgent('boto3', api.startsWith('s3') ? 's3' : api.startsWith('sm') ? 'secretsmanager' : 'ssm'), truth: { madeBy: pod.uid, path: 'irsa', why: null, incident: false, play: null } }).doneAt + ms(400 + rng.int(3000));
          }
          const end = (pod.deletedNs as Ns) - sec(4);
          w.sched.at(end > at ? end : at + ms(50), () => {
            if (pod.state.main) exit(w, pod.state.main, end > at ? end : at + ms(50), 0, null);
            pod.state.main = null;
          });
        });
      }
    },
  };
}
