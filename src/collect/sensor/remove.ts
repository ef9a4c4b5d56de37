import path from 'node:path';
import { casePaths } from '../../case/case-paths.js';
import { loadCaseConfig } from '../../case/case-config.js';
import { canonicalJson } from '../../core/canonical-json.js';
import { CliError } from '../../core/errors.js';
import type { IngestResult } from '../../ingest/ingest-case.js';
import { RequestFailure } from '../common/collect-error.js';
import { sha256Hex } from '../common/request-record.js';
import { sleep } from '../common/retry.js';
import { resolveIdentity } from '../k8s/identity.js';
import { loadKubeTarget } from '../k8s/kube-target.js';
import { PROOF_KINDS, RESOURCE } from './object-api.js';
import { deploymentSelector } from './render.js';
import { commit, record, request, type SensorContext } from './sensor-context.js';
import type { SensorKind } from './sensor-kind.js';
import { closeRun, openRun, type SensorCommandOptions } from './sensor-run.js';
import { currentDeployment } from './sensor-state.js';

export interface RemoveOptions extends SensorCommandOptions {
  kind: SensorKind;
  /** How long to wait for the objects to be gone (a namespace takes a while to terminate). */
  waitSeconds: number;
}

export interface RemoveResult {
  deploymentId: string;
  removed: boolean;
  remaining: string[];
  deployedSha256: string;
  removedSha256: string;
  ingest: IngestResult | null;
}

/**
 * `podtrail sensor remove`: deletes exactly the objects deploy created (by name and uid, newest
 * first; an object of the same name that is not the one created is left alone), then lists every
 * kind deploy made, across the cluster, by the deployment's label, until each list is empty or the
 * wait ends. Custody records the hashes of the manifests deployed and removed and each final list
 * (its bytes kept as proof); only empty lists mark the deployment removed.
 */
export async function removeSensor(o: RemoveOptions): Promise<RemoveResult> {
  const p = casePaths(o.caseDir);
  loadCaseConfig(p.config);
  const cp = currentDeployment(p.root, o.kind, 'deployed');
  if (!cp) throw new CliError(`no ${o.kind} sensor deployed by podtrail in this case is left to remove`);
  const target = loadKubeTarget(o.kube);
  const ctx = openRun(p, cp, target, o);
  let identity = { identity: ctx.run.identity, source: 'kubeconfig' };
  try {
    identity = await resolveIdentity(ctx);
    ctx.run.recordRun('started', identity.source, `remove ${cp.state.deployment_id}`);
    await deleteObjects(ctx);
    const proof = await finalLists(ctx, o);
    const remaining = proof.flatMap((x) => x.names);
    const deleted = cp.state.objects.filter((x) => x.state === 'deleted' || x.state === 'gone');
    if (remaining.length === 0) for (const x of deleted) x.state = 'gone';
    const hash = (xs: typeof cp.state.objects): string => sha256Hex(canonicalJson(xs.map((x) => ({ kind: x.kind, name: x.name, namespace: x.namespace, sha256: x.manifest_sha256 }))));
    const deployedSha = hash(cp.state.objects.filter((x) => x.created_at !== null));
    const removedSha = hash(deleted);
    const removed = remaining.length === 0 && deployedSha === removedSha;
    record(ctx, {
      record: 'removal',
      state: removed ? 'removed' : 'incomplete',
      sha256: removedSha,
      detail: {
        deployed_sha256: deployedSha,
        removed_sha256: removedSha,
        manifests_sha256: cp.state.manifests_sha256,
        objects: cp.state.objects.map((x) => ({ kind: x.kind, name: x.name, namespace: x.namespace, uid: x.uid, manifest_sha256: x.manifest_sha256, state: x.state, deleted_at: x.deleted_at })),
        proof: proof.map((x) => ({ resource: x.resource, label_selector: deploymentSelector(cp.state.deployment_id), items: x.names.length, names: x.names, response_sha256: x.sha256, file: x.file })),
      },
      message: removed
        ? `removed: every object deploy created is gone (deployed ${deployedSha} = removed ${removedSha}); ${proof.length} lists by label podtrail.io/deployment=${cp.state.deployment_id} are empty`
        : `not all removed: ${remaining.length ? `still listed: ${remaining.join(', ')}` : 'some objects were not deleted'}`,
    });
    if (removed) cp.state.removed_at = new Date().toISOString();
    await commit(ctx);
    const ingest = await closeRun(ctx, o, removed ? 'finished' : 'failed', identity.source, removed ? 'removed, proven by empty lists' : `incomplete: ${remaining.join(', ')}`);
    if (!removed) throw new RemoveIncomplete(`remove ${cp.state.deployment_id} incomplete: ${remaining.length ? `still on the cluster: ${remaining.join(', ')}` : 'an object deploy created was not deleted'}; run the same command again`);
    return { deploymentId: cp.state.deployment_id, removed, remaining, deployedSha256: deployedSha, removedSha256: removedSha, ingest };
  } catch (e) {
    if (e instanceof RemoveIncomplete) throw e;
    await closeRun(ctx, o, ctx.signal.aborted ? 'interrupted' : 'failed', identity.source, e instanceof Error ? e.message : String(e)).catch(() => null);
    throw e;
  }
}

/** Deletes the created objects, newest first, each only if its uid is still the one created. */
async function deleteObjects(ctx: SensorContext): Promise<void> {
  const objs = [...ctx.cp.state.objects].reverse();
  for (const x of objs) {
    if (x.state !== 'created' || !x.uid) continue;
    const label = `${x.kind} ${x.namespace ? `${x.namespace}/` : ''}${x.name}`;
    try {
      await request(ctx, { resource: RESOURCE[x.kind], verb: 'delete', message: () => `${label} deleted (uid ${x.uid})` }, () => ctx.objects.delete(x.kind, x.name, x.namespace, x.uid!, ctx.signal));
      x.state = 'deleted';
    } catch (e) {
      if (!(e instanceof RequestFailure)) throw e;
      if (e.kind === 'not-found') x.state = 'deleted'; // already gone (a namespace's deletion took it)
      else if (e.status === 409) {
        record(ctx, { record: 'object', state: 'not-ours', detail: { kind: x.kind, name: x.name, namespace: x.namespace, uid: x.uid }, message: `${label}: the object of that name is not the one deploy created (uid differs): left alone (${e.message})` });
        x.state = 'failed';
      } else throw e;
    }
    x.deleted_at = new Date().toISOString();
    ctx.cp.save();
    record(ctx, { record: 'object', state: x.state, sha256: x.manifest_sha256, pod_namespace: x.namespace, detail: { kind: x.kind, name: x.name, namespace: x.namespace, uid: x.uid }, message: `${label}: ${x.state}` });
    await commit(ctx);
    ctx.progress.line(`  ${label}: ${x.state}`);
  }
}

/** Lists each kind by the deployment's label until all are empty (or the wait ends); the last lists are the proof. */
async function finalLists(ctx: SensorContext, o: RemoveOptions): Promise<{ resource: string; names: string[]; sha256: string; file: string }[]> {
  const selector = deploymentSelector(ctx.cp.state.deployment_id);
  const deadline = Date.now() + o.waitSeconds * 1000;
  for (let round = 1; ; round++) {
    const out: { resource: string; names: string[]; sha256: string; file: string }[] = [];
    for (const kind of PROOF_KINDS) {
      const keepAs = `removal-proof-run${String(ctx.cp.state.runs).padStart(4, '0')}-${RESOURCE[kind]}.json`;
      const r = await request(ctx, { resource: RESOURCE[kind], verb: 'list', keepAs, message: (x) => `${x.items.length} ${RESOURCE[kind]} labelled ${selector}` }, () => ctx.objects.list(kind, selector, ctx.signal));
      const names = r.items.map((it) => {
        const m = (it['metadata'] ?? {}) as { name?: string; namespace?: string };
        return `${kind} ${m.namespace ? `${m.namespace}/` : ''}${m.name ?? '?'}`;
      });
      out.push({ resource: RESOURCE[kind], names, sha256: sha256Hex(r.exchange.body), file: ctx.run.rel(path.join(ctx.dir, keepAs)) });
    }
    await commit(ctx);
    const left = out.flatMap((x) => x.names);
    ctx.progress.tick('remove', `  final lists by label: ${left.length === 0 ? 'all empty' : `${left.length} objects left (${left.slice(0, 5).join(', ')}${left.length > 5 ? ', ...' : ''})`}`, round === 1 || left.length === 0);
    if (left.length === 0 || Date.now() >= deadline) return out;
    await sleep(o.pollMs ?? 2000, ctx.signal);
  }
}


/** remove ran to its end and the proof failed: the run is already closed and landed. */
class RemoveIncomplete extends CliError {}
