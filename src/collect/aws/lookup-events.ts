import path from 'node:path';
import { LookupEventsCommand, type LookupEventsCommandInput } from '@aws-sdk/client-cloudtrail';
import { RequestFailure } from '../common/collect-error.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import type { LookupScan } from './collection-state.js';
import { writeEvidence } from './evidence-file.js';

/** LookupEvents keeps 90 days of management events. */
export const LOOKUP_HORIZON_DAYS = 90;

function scanName(s: LookupScan): string {
  return `lookup-${s.region}-${s.event_source ? s.event_source.replace(/[^a-z0-9.-]/gi, '_') : 'all'}`;
}

/** The resource a scan's requests and gaps name: events/<region>/<source or all>. */
export function scanResource(s: LookupScan): string {
  return `events/${s.region}/${s.event_source ?? 'all'}`;
}

export function scanLabel(s: LookupScan): string {
  return `LookupEvents ${s.region} ${s.event_source ? `EventSource=${s.event_source}` : '(all management events)'}`;
}

/**
 * One paged LookupEvents scan over the window plus its margin: 50 events a page, at most 2
 * requests per second per account and region (the pacer), each page's body kept as sent in
 * lookup-<region>-<source>-p0001.json (it lands as `aws cloudtrail lookup-events` output does) and
 * checkpointed with its NextToken, so an interrupted scan continues at the next page.
 * LookupEvents returns management events (and Insights events only when asked): data events are in
 * the trail's log files only.
 */
export async function lookupScan(scan: LookupScan, ctx: AwsContext): Promise<void> {
  const s = ctx.cp.state;
  scan.state = 'running';
  const label = scanLabel(scan);
  ctx.progress.line(`${label}${scan.pages.length ? ` (continuing after page ${scan.pages.length})` : ''}`);
  const windowMs = Date.parse(s.lookup_to) - Date.parse(s.lookup_from);
  for (;;) {
    const input: LookupEventsCommandInput = {
      StartTime: new Date(s.lookup_from),
      EndTime: new Date(s.lookup_to),
      MaxResults: ctx.lookupPageSize,
      ...(scan.event_source ? { LookupAttributes: [{ AttributeKey: 'EventSource', AttributeValue: scan.event_source }] } : {}),
      ...(scan.next_token ? { NextToken: scan.next_token } : {}),
    };
    const parameters = { ...input, StartTime: s.lookup_from, EndTime: s.lookup_to } as Record<string, unknown>;
    let r;
    try {
      r = await awsCall(ctx, { service: 'cloudtrail', operation: 'LookupEvents', region: scan.region, resource: scanResource(scan), parameters, paceKey: `${s.identity?.account ?? '?'}/${scan.region}` }, (signal) =>
        ctx.clients.cloudtrail(scan.region).send(new LookupEventsCommand(input), { abortSignal: signal }),
      );
    } catch (e) {
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      scan.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message =
        e.kind === 'forbidden'
          ? `forbidden: ${label} is not allowed for this identity (${e.message}); the policy in deploy/podtrail-collector-aws-policy.json grants cloudtrail:LookupEvents`
          : `not collected after page ${scan.pages.length}: ${e.message}`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: scanResource(scan), verb: 'LookupEvents', from: s.lookup_from, to: scan.oldest_event_at ?? s.lookup_to, message });
      ctx.progress.line(`  ${message}`);
      await ctx.run.commit(false, ctx.cp);
      return;
    }
    const events = r.output.Events ?? [];
    const name = `${scanName(scan)}-p${String(scan.pages.length + 1).padStart(4, '0')}.json`;
    const file = path.join(ctx.dir, name);
    writeEvidence(file, r.exchange.body);
    r.record({ responseFile: file, message: `${events.length} events${r.output.NextToken ? '' : ' (last page)'}` });
    scan.pages.push(name);
    scan.events += events.length;
    ctx.stats.events += events.length;
    const oldest = events.map((e) => e.EventTime?.toISOString()).filter((x): x is string => !!x).sort()[0];
    if (oldest && (!scan.oldest_event_at || oldest < scan.oldest_event_at)) scan.oldest_event_at = oldest;
    scan.next_token = r.output.NextToken ?? null;
    s.files.push({ file: name, ready: true, ingested: false });
    if (scan.next_token === null) scan.state = 'done';
    await ctx.run.commit(false, ctx.cp);
    // progress: how far back the scan has come, and what the 2 requests/s limit adds to the rest
    const done = scan.oldest_event_at && windowMs > 0 ? Math.min(1, (Date.parse(s.lookup_to) - Date.parse(scan.oldest_event_at)) / windowMs) : null;
    const left = done && done > 0 && scan.state !== 'done' ? Math.ceil((scan.pages.length * (1 - done)) / done) : 0;
    const elapsed = (performance.now() - ctx.stats.startedMs) / 1000;
    ctx.progress.tick(
      `lookup:${label}`,
      `  ${label}: page ${scan.pages.length}, ${scan.events} events${scan.oldest_event_at ? ` back to ${scan.oldest_event_at}` : ''}; ${ctx.stats.requests} requests, ${ctx.stats.events} events, ${(ctx.stats.bytes / 1e6).toFixed(1)} MB in ${elapsed.toFixed(1)} s` +
        (scan.state === 'done'
          ? ` (done; the 2 requests/s limit held requests ${(ctx.lookupPacer.waitedMs / 1000).toFixed(1)} s in all)`
          : left > 0
            ? `; about ${left} pages left: at least ${(left * ctx.lookupPacer.intervalMs / 1000).toFixed(1)} s at the limit of ${ctx.lookupPacer.perSecond} requests/s`
            : ''),
      scan.state === 'done',
    );
    if (scan.state === 'done') return;
  }
}
