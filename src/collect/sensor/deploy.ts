import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { casePaths } from '../../case/case-paths.js';
import { loadCaseConfig } from '../../case/case-config.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { CliError } from '../../core/errors.js';
import type { IngestResult } from '../../ingest/ingest-case.js';
import { RequestFailure } from '../common/collect-error.js';
import { resolveIdentity } from '../k8s/identity.js';
import { loadKubeTarget } from '../k8s/kube-target.js';
import { findSensors, refusalMessage } from './existing-sensors.js';
import { deploymentId } from './names.js';
import { waitForNodes, type NodeStatus } from './node-coverage.js';
import type { ObjectKind } from './object-api.js';
import { deploymentSelector, renderSensor, type RenderedSensor } from './render.js';
import { commit, record, request, type SensorContext } from './sensor-context.js';
import { LAYOUT, type SensorKind } from './sensor-kind.js';
import { closeRun, followPods, openRun, sensorPods, verifyEnrichment, type SensorCommandOptions } from './sensor-run.js';
import { newState } from './sensor-state.js';

export interface DeployOptions extends SensorCommandOptions {
  kind: SensorKind;
  dryRun: boolean;
  /** How long to wait for a sensor pod on every node. */
  waitSeconds: number;
  /** How long to read the sensor after it runs, to verify its events are enriched (0: skip). */
  verifySeconds: number;
  clockInterval?: number;
}

export interface DeployResult {
  deploymentId: string;
  dryRun: boolean;
  rendered: RenderedSensor;
  nodes: NodeStatus[];
  identity: string | null;
  ingest: IngestResult | null;
}

/**
 * `podtrail sensor deploy`: renders the pinned sensor's manifests for the case; with --dry-run prints
 * them and touches nothing. Otherwise: refuses when a Tetragon or Falco already runs; creates the
 * objects (each one recorded, with its manifest hash, the moment it exists, so remove deletes exactly
 * those); waits for a sensor pod on every node and records the nodes that have none, with why; reads
 * the sensor a first time, to verify its events are enriched and to get each node's clock; lands it all.
 */
export async function deploySensor(o: DeployOptions): Promise<DeployResult> {
  const p = casePaths(o.caseDir);
  const config = loadCaseConfig(p.config);
  const id = deploymentId(o.kind, new Date().toISOString());
  const rendered = renderSensor({ kind: o.kind, caseId: config.case_id, deploymentId: id, ...(o.clockInterval ? { clockInterval: o.clockInterval } : {}) });
  if (o.dryRun) return { deploymentId: id, dryRun: true, rendered, nodes: [], identity: null, ingest: null };

  const target = loadKubeTarget(o.kube);
  const cp = newState(p.root, {
    deployment_id: id,
    kind: o.kind,
    case_id: config.case_id,
    server: target.server,
    context: target.context,
    created_at: new Date().toISOString(),
    mode: 'deployed',
    namespace: rendered.namespace,
    manifests_sha256: rendered.sha256,
    filter_id: rendered.filter.filter_id,
    filter_sha256: rendered.filter_sha256,
    objects: rendered.objects.map((x) => ({ kind: x.kind as ObjectKind, name: x.name, namespace: x.namespace, manifest_sha256: x.sha256, uid: null, state: 'pending', created_at: null, deleted_at: null })),
  });
  const ctx = openRun(p, cp, target, o);
  writeFileSync(path.join(ctx.dir, 'manifests.yaml'), rendered.yaml);
  ctx.progress.line(`deploying ${o.kind} ${rendered.pin.version} (${rendered.pin.digest}, ${rendered.pin.verified}) as ${id} to ${target.server}, context ${target.context}`);
  let identity = { identity: ctx.run.identity, source: 'kubeconfig' };
  try {
    identity = await resolveIdentity(ctx);
    ctx.run.recordRun('started', identity.source, `deploy ${o.kind} ${rendered.pin.version} as ${id}`);
    await commit(ctx);
    const found = await findSensors(ctx);
    if (found.length > 0) {
      for (const s of found) {
        record(ctx, {
          record: 'existing-sensor',
          state: 'refused',
          reason: s.kind,
          pod_namespace: s.namespace,
          detail: { daemonset: `${s.namespace}/${s.name}`, deployment: s.deployment, pods: s.pods },
          message: `${s.kind} already runs: DaemonSet ${s.namespace}/${s.name}, ${s.pods.length} pods`,
        });
      }
      const message = refusalMessage(found, o.caseDir);
      cp.state.removed_at = new Date().toISOString(); // nothing was created: nothing to remove
      await closeRun(ctx, o, 'failed', identity.source, `refused: ${message}`);
      throw new CliError(`deploy refused: ${message}`);
    }
    record(ctx, {
      record: 'deployment',
      state: 'deploying',
      filter_id: rendered.filter.filter_id,
      alerts_every_outbound_connect: rendered.filter.alerts_every_outbound_connect,
      alerts_every_exec: rendered.filter.alerts_every_exec,
      sha256: rendered.sha256,
      pod_namespace: rendered.namespace,
      detail: { filter: rendered.filter, filter_sha256: rendered.filter_sha256, objects: rendered.objects.map((x) => ({ kind: x.kind, name: x.name, namespace: x.namespace, sha256: x.sha256 })), pin: rendered.pin, manifests_file: ctx.run.rel(path.join(ctx.dir, 'manifests.yaml')) },
      message: `${o.kind} ${rendered.pin.version} (${rendered.pin.image}@${rendered.pin.digest}; ${rendered.pin.verified}) with filter ${rendered.filter.filter_id}: ${rendered.objects.length} objects, manifests sha256 ${rendered.sha256}`,
    });
    await commit(ctx);
    await createObjects(ctx, rendered);
    const ds = rendered.objects.find((x) => x.kind === 'DaemonSet')!;
    const podSpec = ((ds.manifest['spec'] as Record<string, any>)['template'] as Record<string, any>)['spec'] as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const nodes = await waitForNodes(ctx, { waitMs: o.waitSeconds * 1000, pollMs: o.pollMs ?? 2000, podSpec, namespace: rendered.namespace, selector: deploymentSelector(id) });
    const podList = await request(ctx, { resource: 'pods', verb: 'list', message: (r) => `${r.items.length} sensor pods` }, () => ctx.objects.listPods(rendered.namespace, deploymentSelector(id), ctx.signal));
    const running = new Set(nodes.filter((n) => n.state === 'running').map((n) => n.node));
    const pods = sensorPods(podList.items, LAYOUT[o.kind].eventsContainer, LAYOUT[o.kind].clockContainer).filter((x) => running.has(x.node));
    if (o.verifySeconds > 0 && pods.length > 0) {
      await followPods(ctx, pods, o.verifySeconds * 1000);
      await verifyEnrichment(ctx, o, pods, 'deploy');
    }
    const gaps = nodes.filter((n) => n.state !== 'running');
    const ingest = await closeRun(ctx, o, 'finished', identity.source, `deployed: sensor pods on ${running.size} of ${nodes.length} nodes${gaps.length ? `; none on ${gaps.map((n) => `${n.node} (${n.reason ?? 'not ready'})`).join(', ')}` : ''}`);
    return { deploymentId: id, dryRun: false, rendered, nodes, identity: identity.identity, ingest };
  } catch (e) {
    if (e instanceof CliError && !(e instanceof RequestFailure) && cp.state.removed_at !== null) throw e;
    const interrupted = ctx.signal.aborted;
    const created = cp.state.objects.filter((x) => x.state === 'created').length;
    const why = interrupted ? 'interrupted' : e instanceof Error ? e.message : String(e);
    await closeRun(ctx, o, interrupted ? 'interrupted' : 'failed', identity.source, `deploy stopped (${why}); ${created} objects created`).catch(() => null);
    throw new CliError(`deploy ${id} stopped: ${why}. ${created > 0 ? `${created} objects were created (listed in ${path.relative(process.cwd(), cp.file)}): \`podtrail sensor remove ${o.caseDir} --kind ${o.kind}\` removes exactly them` : 'Nothing was created.'}`);
  }
}

/** Creates the objects in order; each one is in the state file (with its uid) as soon as it exists. */
async function createObjects(ctx: SensorContext, rendered: RenderedSensor): Promise<void> {
  for (const [i, x] of rendered.objects.entries()) {
    const body = canonicalJson(x.manifest);
    const st = ctx.cp.state.objects[i]!;
    const r = await request(ctx, { resource: `${x.kind.toLowerCase()}s`, verb: 'create', message: () => `${x.kind} ${x.namespace ? `${x.namespace}/` : ''}${x.name} created (manifest sha256 ${x.sha256})` }, () =>
      ctx.objects.create(x.kind as ObjectKind, x.manifest, body, ctx.signal),
    );
    const meta = (r.object['metadata'] ?? {}) as { uid?: string };
    st.uid = meta.uid ?? null;
    st.state = 'created';
    st.created_at = new Date(r.exchange.respondedAtMs).toISOString();
    ctx.cp.save();
    record(ctx, {
      record: 'object',
      state: 'created',
      sha256: x.sha256,
      pod_namespace: x.namespace,
      detail: { kind: x.kind, name: x.name, namespace: x.namespace, uid: st.uid, response_sha256: r.exchange.body.length ? sha(r.exchange.body) : null },
      message: `created ${x.kind} ${x.namespace ? `${x.namespace}/` : ''}${x.name} (uid ${st.uid})`,
    });
    await commit(ctx);
    ctx.progress.line(`  created ${x.kind} ${x.namespace ? `${x.namespace}/` : ''}${x.name}`);
  }
}

import { createHash } from 'node:crypto';
function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}
