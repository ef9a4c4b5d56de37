import { writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import path from 'node:path';
import { RequestFailure } from '../common/collect-error.js';
import { withRetry } from '../common/retry.js';
import { serverClock } from '../common/request-record.js';
import { fileStamp, type SnapshotStep } from './collection-state.js';
import { forbiddenMessage, isFatal, type K8sContext } from './k8s-context.js';
import type { ListPage } from './api-client.js';

/** An expired continue token restarts the List at most this many times. */
const MAX_RESTARTS = 3;

function writeDurably(file: string, bytes: Buffer): void {
  writeFileSync(file, bytes, { flag: 'wx' });
  const fd = openSync(file, 'r');
  fsyncSync(fd);
  closeSync(fd);
}

/**
 * Lists one resource across all namespaces, page by page (`limit` + `continue`), keeping each
 * page's bytes as sent in its own evidence file named after the snapshot instant (the local clock
 * when the first page came): `<resource>-<instant>-p0001.json`. The pages of one List are one
 * consistent snapshot; only a complete List is landed (a partial one would make the pods it misses
 * look gone). An expired continue token (410) restarts the List; a 403 is a gap, not a failure of
 * the collection; each step is checkpointed, so a later run continues from the last page.
 */
export async function listSnapshot(step: SnapshotStep, ctx: K8sContext): Promise<void> {
  const verb = 'list';
  step.state = 'running';
  ctx.progress.line(`listing ${step.resource}${step.pages.length > 0 ? ` (continuing after page ${step.pages.length})` : ''}`);
  for (;;) {
    let page: ListPage;
    try {
      page = await withRetry(
        async (attempt) => {
          try {
            return await ctx.api.listPage(step.resource, ctx.pageSize, step.continue, ctx.signal);
          } catch (e) {
            if (e instanceof RequestFailure && e.exchange) {
              ctx.run.recordExchange(e.exchange, { resource: step.resource, verb, attempt, outcome: e.kind, message: e.message });
            }
            throw e;
          }
        },
        ctx.retry,
        { signal: ctx.signal, onRetry: (n) => ctx.progress.line(`  ${step.resource}: ${n.failure.kind} (attempt ${n.attempt}); retrying in ${(n.delayMs / 1000).toFixed(1)} s${n.fromRetryAfter ? ' (Retry-After)' : ''}`) },
      );
    } catch (e) {
      if (e instanceof RequestFailure && e.kind === 'expired' && step.continue !== null && step.restarts < MAX_RESTARTS) {
        await restart(step, ctx, e);
        continue;
      }
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      step.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message = e.kind === 'forbidden' ? forbiddenMessage(verb, step.resource, e) : `not collected: ${e.message}`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: step.resource, verb, from: null, to: null, message });
      ctx.progress.line(`  ${step.resource}: ${message}`);
      await ctx.run.commit(false, ctx.cp);
      return;
    }
    const first = step.pages.length === 0;
    if (first) {
      const at = page.exchange.respondedAtMs;
      step.snapshot_at = new Date(at).toISOString();
      Object.assign(step, serverClock(page.exchange.headers['date'], at));
      step.resource_version = page.resourceVersion;
    }
    const name = `${step.resource}-${fileStamp(step.snapshot_at!)}-p${String(step.pages.length + 1).padStart(4, '0')}.json`;
    const file = path.join(ctx.dir, name);
    writeDurably(file, page.exchange.body);
    ctx.run.recordExchange(page.exchange, { resource: step.resource, verb, attempt: 1, outcome: 'ok', resourceVersion: page.resourceVersion, responseFile: file });
    step.pages.push(name);
    step.items += page.items;
    step.continue = page.continueToken;
    ctx.cp.state.files.push({ file: name, ready: false, ingested: false });
    ctx.progress.line(`  ${step.resource}: page ${step.pages.length}, ${page.items} items${step.continue ? '' : ' (last)'}`);
    if (step.continue === null) {
      step.state = 'done';
      for (const f of ctx.cp.state.files) if (step.pages.includes(f.file)) f.ready = true;
      ctx.run.recordSnapshot({
        resource: step.resource,
        snapshot_at: step.snapshot_at!,
        server_date: step.server_date,
        clock_difference_ms: step.clock_difference_ms,
        resource_version: step.resource_version,
        pages: step.pages.length,
        items: step.items,
        files: step.pages.map((p) => ctx.run.rel(path.join(ctx.dir, p))),
      });
      if (step.resource === 'pods' && step.resource_version) ctx.cp.state.watch_rv = step.resource_version;
      const skew = step.clock_difference_ms;
      ctx.progress.line(
        `  ${step.resource}: ${step.items} items at ${step.snapshot_at}${skew === null ? ' (the server sent no Date)' : `; server Date ${step.server_date}, local clock ${skew >= 0 ? '+' : ''}${skew} ms`}`,
      );
    }
    await ctx.run.commit(false, ctx.cp);
    if (step.state === 'done') return;
  }
}

/** A continue token expired (410): the pages so far are set aside (kept, never landed) and the List starts again. */
async function restart(step: SnapshotStep, ctx: K8sContext, e: RequestFailure): Promise<void> {
  ctx.progress.line(`  ${step.resource}: continue token expired after page ${step.pages.length}; listing again from the start`);
  ctx.run.custody.add(`${step.resource}: List restarted (continue token expired); pages ${step.pages.join(', ')} set aside, not landed`, new Date().toISOString(), {
    kind: 'list-restarted',
    collection_id: ctx.run.collectionId,
    resource: step.resource,
    abandoned_pages: step.pages.map((p) => ctx.run.rel(path.join(ctx.dir, p))),
    reason: e.message,
  });
  step.restarts++;
  ctx.cp.state.files = ctx.cp.state.files.filter((f) => !step.pages.includes(f.file));
  step.pages = [];
  step.items = 0;
  step.continue = null;
  step.snapshot_at = null;
  step.server_date = null;
  step.clock_difference_ms = null;
  step.resource_version = null;
  await ctx.run.commit(false, ctx.cp);
}
