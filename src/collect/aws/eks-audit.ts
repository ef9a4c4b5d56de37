import path from 'node:path';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { RequestFailure } from '../common/collect-error.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import { writeEvidence } from './evidence-file.js';
import type { ClusterState } from './inventory-state.js';

/** EKS writes the API server's audit log to this group, in streams named kube-apiserver-audit-<id>. */
export function auditLogGroup(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}
export const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit';

/**
 * EKS audit from CloudWatch Logs: FilterLogEvents over the cluster's log group, audit streams only,
 * event times from the window's start (with margin) to its end plus margin and the delivery
 * allowance, paged by nextToken. Each page is kept as sent: it is `aws logs filter-log-events`
 * output, which `podtrail ingest` lands as EKS-wrapped audit events. Delivery to CloudWatch Logs is
 * best effort and late: a collection that runs before the allowance has passed records a gap for
 * the part that may still arrive, and no log group (audit logging off) is a gap, never silence.
 */
export async function collectEksAudit(ctx: AwsContext, cl: ClusterState, nowMs: number): Promise<void> {
  const a = cl.audit!;
  a.state = 'running';
  const label = `FilterLogEvents ${a.log_group} ${a.stream_prefix}*`;
  ctx.progress.line(`${label}${a.pages.length ? ` (continuing after page ${a.pages.length})` : ''}`);
  const resource = `logs/${a.log_group}`;
  for (;;) {
    const input = { logGroupName: a.log_group, logStreamNamePrefix: a.stream_prefix, startTime: a.from_ms, endTime: a.to_ms, limit: ctx.auditPageSize, ...(a.next_token ? { nextToken: a.next_token } : {}) };
    let r;
    try {
      r = await awsCall(ctx, { service: 'logs', operation: 'FilterLogEvents', region: cl.region, resource, parameters: input }, (signal) => ctx.clients.logs(cl.region).send(new FilterLogEventsCommand(input), { abortSignal: signal }));
    } catch (e) {
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      const missing = /ResourceNotFoundException/.test(e.message);
      a.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message = missing
        ? `no log group ${a.log_group}: the cluster's audit logging is off (or its logs went elsewhere); no EKS audit for the window from CloudWatch Logs`
        : e.kind === 'forbidden'
          ? `forbidden: logs:FilterLogEvents on ${a.log_group} (${e.message}); deploy/podtrail-collector-aws-policy.json grants it`
          : `EKS audit not collected after page ${a.pages.length}: ${e.message}`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource, verb: 'FilterLogEvents', from: new Date(a.from_ms).toISOString(), to: new Date(a.to_ms).toISOString(), message });
      ctx.progress.line(`  ${message}`);
      if (missing) a.state = 'done';
      await ctx.run.commit(false, ctx.cp);
      return;
    }
    const events = r.output.events ?? [];
    const name = `eks-audit-${cl.name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${cl.region}-p${String(a.pages.length + 1).padStart(4, '0')}.json`;
    const file = path.join(ctx.dir, name);
    writeEvidence(file, r.exchange.body);
    r.record({ responseFile: file, message: `${events.length} events${r.output.nextToken ? '' : ' (last page)'}` });
    a.pages.push(name);
    a.events += events.length;
    ctx.stats.events += events.length;
    a.next_token = r.output.nextToken ?? null;
    ctx.cp.state.files.push({ file: name, ready: true, ingested: false });
    if (a.next_token === null) {
      a.state = 'done';
      if (nowMs < a.to_ms) {
        const message = `collected at ${new Date(nowMs).toISOString()}, before the delivery allowance ended (${new Date(a.to_ms).toISOString()}): audit records of the window's end may still arrive in CloudWatch Logs; collect again after it`;
        ctx.run.recordGap({ gap: 'not-collected', resource, verb: 'FilterLogEvents', from: new Date(Math.max(a.from_ms, nowMs - a.allowance_ms)).toISOString(), to: new Date(a.to_ms).toISOString(), message });
        ctx.progress.line(`  ${message}`);
      }
    }
    await ctx.run.commit(false, ctx.cp);
    ctx.progress.tick(`audit:${a.log_group}`, `  ${label}: page ${a.pages.length}, ${a.events} events`, a.state === 'done');
    if (a.state === 'done') return;
  }
}
