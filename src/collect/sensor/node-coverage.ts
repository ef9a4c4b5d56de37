import { sleep } from '../common/retry.js';
import { commit, record, request, type SensorContext } from './sensor-context.js';

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Where a node stands: a sensor pod running and ready, none (and why), or still coming. */
export interface NodeStatus {
  node: string;
  state: 'running' | 'no-sensor' | 'waiting';
  /** fargate | windows | untolerated-taint | node-not-ready | unschedulable | image-pull | no-btf | sensor-failing | admission-refused | pod-not-created */
  reason: string | null;
  pod: string | null;
  message: string;
  kernel: string | null;
  /** A reason no waiting can change. */
  final: boolean;
}

interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
}

/** Whether tolerations tolerate a taint (Kubernetes' rules: Exists with no key matches every taint). */
export function tolerates(tols: Toleration[], taint: { key: string; value?: string; effect: string }): boolean {
  return tols.some((t) => {
    if (t.effect && t.effect !== taint.effect) return false;
    if ((t.operator ?? 'Equal') === 'Exists') return !t.key || t.key === taint.key;
    return t.key === taint.key && (t.value ?? '') === (taint.value ?? '');
  });
}

/**
 * Classifies every node against the sensor pods of the deployment: which run (all containers ready),
 * which cannot run one and why (Fargate, Windows, an untolerated taint, a node not ready), and which
 * are still coming or failing (unschedulable, image pull, a kernel without BTF, a crash, an
 * admission refusal seen in the namespace's events).
 */
export function classifyNodes(nodes: Obj[], pods: Obj[], events: Obj[], podSpec: Obj): NodeStatus[] {
  const tols: Toleration[] = podSpec?.tolerations ?? [];
  const selector: Record<string, string> = podSpec?.nodeSelector ?? {};
  const byNode = new Map<string, Obj>();
  for (const p of pods) if (p.spec?.nodeName && !p.metadata?.deletionTimestamp) byNode.set(String(p.spec.nodeName), p);
  const unscheduled = pods.filter((p) => !p.spec?.nodeName);
  const refusals = events.filter((e) => e.reason === 'FailedCreate').map((e) => String(e.message ?? ''));
  return nodes
    .map((n): NodeStatus => {
      const name = String(n.metadata?.name);
      const labels: Record<string, string> = n.metadata?.labels ?? {};
      const kernel = (n.status?.nodeInfo?.kernelVersion as string | undefined) ?? null;
      const base = { node: name, pod: null, kernel };
      if (labels['eks.amazonaws.com/compute-type'] === 'fargate') return { ...base, state: 'no-sensor', reason: 'fargate', final: true, message: `${name} is an EKS Fargate node: it runs no DaemonSet pods` };
      for (const [k, v] of Object.entries(selector)) {
        if (labels[k] !== v) {
          const os = labels['kubernetes.io/os'];
          return { ...base, state: 'no-sensor', reason: os && os !== 'linux' ? 'windows' : 'node-selector', final: true, message: `${name} is not a ${k}=${v} node (${k}=${labels[k] ?? 'unset'}): the eBPF sensor runs on Linux only` };
        }
      }
      const untolerated = ((n.spec?.taints ?? []) as { key: string; value?: string; effect: string }[]).filter((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerates(tols, t));
      if (untolerated.length > 0) return { ...base, state: 'no-sensor', reason: 'untolerated-taint', final: true, message: `${name} has taints the sensor does not tolerate: ${untolerated.map((t) => `${t.key}${t.value ? `=${t.value}` : ''}:${t.effect}`).join(', ')}` };
      const pod = byNode.get(name);
      if (!pod) {
        const ready = ((n.status?.conditions ?? []) as Obj[]).find((c) => c.type === 'Ready');
        if (ready && ready.status !== 'True') return { ...base, state: 'no-sensor', reason: 'node-not-ready', final: false, message: `${name} is not Ready (${ready.reason ?? ready.status})` };
        const refusal = refusals.find((m) => m.includes(name)) ?? refusals[0];
        if (refusal) return { ...base, state: 'no-sensor', reason: 'admission-refused', final: false, message: `no sensor pod on ${name}: the DaemonSet controller could not create it: ${refusal}` };
        const pending = unscheduled.find((p) => JSON.stringify(p.spec?.affinity ?? {}).includes(name));
        if (pending) return { ...base, state: 'no-sensor', reason: 'unschedulable', final: false, pod: String(pending.metadata?.name), message: `sensor pod for ${name} not scheduled: ${condition(pending, 'PodScheduled') ?? 'pending'}` };
        return { ...base, state: 'waiting', reason: 'pod-not-created', final: false, message: `no sensor pod on ${name} yet` };
      }
      const podName = String(pod.metadata?.name);
      const statuses: Obj[] = pod.status?.containerStatuses ?? [];
      const allReady = pod.status?.phase === 'Running' && statuses.length > 0 && statuses.every((c) => c.ready === true);
      if (allReady) return { ...base, pod: podName, state: 'running', reason: null, final: true, message: `${podName} runs on ${name}` };
      for (const c of statuses) {
        const w = c.state?.waiting;
        const t = c.state?.terminated ?? c.lastState?.terminated;
        const text = `${w?.reason ?? ''} ${w?.message ?? ''} ${t?.reason ?? ''} ${t?.message ?? ''}`.trim();
        if (/ErrImagePull|ImagePullBackOff|InvalidImageName/.test(text)) return { ...base, pod: podName, state: 'no-sensor', reason: 'image-pull', final: false, message: `${podName} on ${name}: container ${c.name} cannot pull its image (${text})` };
        if (/BTF|btf/.test(text)) return { ...base, pod: podName, state: 'no-sensor', reason: 'no-btf', final: false, message: `${podName} on ${name}: container ${c.name} fails: the kernel ${kernel ?? ''} offers no BTF (${text})` };
        if (w?.reason === 'CrashLoopBackOff' || t) return { ...base, pod: podName, state: 'no-sensor', reason: 'sensor-failing', final: false, message: `${podName} on ${name}: container ${c.name} is not running (${text || 'terminated'})` };
      }
      const sched = condition(pod, 'PodScheduled');
      if (pod.status?.phase === 'Pending' && sched) return { ...base, pod: podName, state: 'no-sensor', reason: 'unschedulable', final: false, message: `${podName} for ${name} not scheduled: ${sched}` };
      return { ...base, pod: podName, state: 'waiting', reason: null, final: false, message: `${podName} on ${name} is starting (${pod.status?.phase ?? 'unknown phase'})` };
    })
    .sort((a, b) => (a.node < b.node ? -1 : 1));
}

function condition(pod: Obj, type: string): string | null {
  const c = ((pod.status?.conditions ?? []) as Obj[]).find((x) => x.type === type && x.status !== 'True');
  return c ? `${c.reason ?? ''}${c.message ? `: ${c.message}` : ''}` : null;
}

/**
 * Waits until a sensor pod runs on every node that can run one, or `waitMs` passes; then each node
 * without one is a gap in the sensor log (the checks report it), with the reason.
 */
export async function waitForNodes(ctx: SensorContext, o: { waitMs: number; pollMs: number; podSpec: Obj; namespace: string; selector: string }): Promise<NodeStatus[]> {
  const deadline = Date.now() + o.waitMs;
  let last: NodeStatus[] = [];
  let round = 0;
  for (;;) {
    round++;
    const nodes = await request(ctx, { resource: 'nodes', verb: 'list', message: (r) => `${r.items.length} nodes` }, () => ctx.objects.listNodes(ctx.signal));
    const pods = await request(ctx, { resource: 'pods', verb: 'list', message: (r) => `${r.items.length} sensor pods` }, () => ctx.objects.listPods(o.namespace, o.selector, ctx.signal));
    const events = await request(ctx, { resource: 'events', verb: 'list', message: (r) => `${r.items.length} events` }, () => ctx.objects.listEvents(o.namespace, ctx.signal));
    last = classifyNodes(nodes.items, pods.items, events.items, o.podSpec);
    const running = last.filter((n) => n.state === 'running').length;
    const open = last.filter((n) => !n.final);
    ctx.progress.tick('nodes', `  sensor pods running on ${running} of ${last.length} nodes${open.length ? `; waiting for ${open.map((n) => n.node).join(', ')}` : ''}`, round === 1);
    await commit(ctx);
    if (open.length === 0 || Date.now() >= deadline) break;
    await sleep(o.pollMs, ctx.signal);
  }
  for (const n of last) {
    record(ctx, {
      record: 'node',
      node: n.node,
      pod_namespace: n.pod ? o.namespace : null,
      pod_name: n.pod,
      state: n.state === 'running' ? 'running' : 'no-sensor',
      reason: n.state === 'running' ? null : (n.reason ?? 'pod-not-ready'),
      detail: { kernel: n.kernel, waited_ms: o.waitMs },
      message: n.state === 'waiting' ? `${n.message}, still after ${Math.round(o.waitMs / 1000)} s: no sensor events from this node` : n.message,
    });
  }
  await commit(ctx);
  return last;
}
