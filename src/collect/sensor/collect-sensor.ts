import path from 'node:path';
import { casePaths } from '../../case/case-paths.js';
import { loadCaseConfig } from '../../case/case-config.js';
import { CliError, UsageError } from '../../core/errors.js';
import type { IngestResult } from '../../ingest/ingest-case.js';
import { resolveIdentity } from '../k8s/identity.js';
import { loadKubeTarget } from '../k8s/kube-target.js';
import { deploymentId } from './names.js';
import { deploymentSelector } from './render.js';
import { commit, record, request } from './sensor-context.js';
import { FOREIGN_EVENTS_CONTAINER, LAYOUT, type SensorKind } from './sensor-kind.js';
import { closeRun, followPods, openRun, sensorPods, verifyEnrichment, type SensorCommandOptions, type SensorPod } from './sensor-run.js';
import { currentDeployment, newState } from './sensor-state.js';

export interface CollectSensorOptions extends SensorCommandOptions {
  kind: SensorKind;
  /** How long to follow the sensor's logs. */
  seconds: number;
  /** A sensor podtrail did not deploy: its pods (namespace/name), read as they are. */
  pods: string[];
  /** The events container of those pods (default: the charts' export-stdout / falco). */
  container?: string | null;
}

export interface CollectSensorResult {
  deploymentId: string;
  run: number;
  pods: SensorPod[];
  lines: number;
  duplicates: number;
  ingest: IngestResult | null;
}

/**
 * `podtrail sensor collect`: follows the export log of each sensor pod of the case's deployment (or
 * of the pods named with --pod, for a sensor that already ran on the cluster) for the duration given,
 * from where the last read stopped, one events file per node; lands them, and verifies again that
 * the events are enriched.
 */
export async function collectSensor(o: CollectSensorOptions): Promise<CollectSensorResult> {
  const p = casePaths(o.caseDir);
  const config = loadCaseConfig(p.config);
  const target = loadKubeTarget(o.kube);
  const named = o.pods.map((x) => {
    const m = /^([a-z0-9][-a-z0-9]*)\/([a-z0-9][-.a-z0-9]*)$/.exec(x);
    if (!m) throw new UsageError(`--pod ${x}: give NAMESPACE/NAME`);
    return { namespace: m[1]!, name: m[2]! };
  });
  let cp = named.length > 0 ? currentDeployment(p.root, o.kind, 'attached') : currentDeployment(p.root, o.kind, 'deployed');
  if (cp && named.length > 0 && !named.every((n) => cp!.state.pods.some((s) => s.namespace === n.namespace && s.pod === n.name))) cp = null;
  if (!cp && named.length === 0) throw new CliError(`no ${o.kind} sensor deployed in this case: \`podtrail sensor deploy ${o.caseDir} --kind ${o.kind}\` first, or name the pods of a sensor already running with --pod NAMESPACE/NAME`);
  const fresh = !cp;
  cp ??= newState(p.root, {
    deployment_id: deploymentId(o.kind, new Date().toISOString()),
    kind: o.kind,
    case_id: config.case_id,
    server: target.server,
    context: target.context,
    created_at: new Date().toISOString(),
    mode: 'attached',
    namespace: null,
    manifests_sha256: null,
    filter_id: null,
    filter_sha256: null,
    objects: [],
  });
  const ctx = openRun(p, cp, target, o);
  let identity = { identity: ctx.run.identity, source: 'kubeconfig' };
  try {
    identity = await resolveIdentity(ctx);
    ctx.run.recordRun('started', identity.source, `collect ${o.kind} for ${o.seconds} s`);
    let pods: SensorPod[];
    if (cp.state.mode === 'deployed') {
      const list = await request(ctx, { resource: 'pods', verb: 'list', message: (r) => `${r.items.length} sensor pods` }, () => ctx.objects.listPods(cp.state.namespace!, deploymentSelector(cp.state.deployment_id), ctx.signal));
      pods = sensorPods(list.items, LAYOUT[o.kind].eventsContainer, LAYOUT[o.kind].clockContainer);
    } else {
      const container = o.container ?? FOREIGN_EVENTS_CONTAINER[o.kind];
      pods = [];
      for (const n of named.length > 0 ? named : cp.state.pods.map((s) => ({ namespace: s.namespace, name: s.pod }))) {
        const list = await request(ctx, { resource: 'pods', verb: 'list', message: (r) => `${r.items.length} pods named ${n.name}` }, () => ctx.objects.listPods(n.namespace, undefined, ctx.signal, `metadata.name=${n.name}`));
        const found = sensorPods(list.items.filter((x: Record<string, any>) => x.metadata?.name === n.name), container, null); // eslint-disable-line @typescript-eslint/no-explicit-any
        if (found.length === 0) throw new CliError(`--pod ${n.namespace}/${n.name}: no such pod running on a node`);
        pods.push(...found);
      }
      if (fresh) {
        record(ctx, {
          record: 'deployment',
          state: 'attached',
          filter_id: 'unknown',
          alerts_every_outbound_connect: null,
          alerts_every_exec: null,
          detail: { pods: pods.map((x) => `${x.namespace}/${x.pod}`), container },
          message: `${o.kind} not deployed by podtrail, read from ${pods.length} pods (${pods.map((x) => `${x.namespace}/${x.pod}`).join(', ')}): its filter or rule set is not known, so its silence proves nothing`,
        });
      }
    }
    await commit(ctx);
    await followPods(ctx, pods, o.seconds * 1000);
    await verifyEnrichment(ctx, o, pods, 'collect');
    const lines = cp.state.pods.reduce((s, x) => s + x.lines, 0);
    const duplicates = cp.state.pods.reduce((s, x) => s + x.duplicates, 0);
    const ingest = await closeRun(ctx, o, ctx.signal.aborted ? 'interrupted' : 'finished', identity.source, `collected ${pods.length} sensor pods for ${o.seconds} s`);
    return { deploymentId: cp.state.deployment_id, run: cp.state.runs, pods, lines, duplicates, ingest };
  } catch (e) {
    await closeRun(ctx, o, ctx.signal.aborted ? 'interrupted' : 'failed', identity.source, e instanceof Error ? e.message : String(e)).catch(() => null);
    throw e;
  }
}

/** Where a deployment's files are, for messages. */
export function deploymentDir(caseDir: string, id: string): string {
  return path.join(caseDir, 'collect', id);
}
