import path from 'node:path';
import { ListPublicKeysCommand } from '@aws-sdk/client-cloudtrail';
import { RequestFailure } from '../common/collect-error.js';
import { awsCall } from './aws-call.js';
import { isFatal, type AwsContext } from './aws-context.js';
import type { KeysTask } from './collection-state.js';
import { writeEvidence } from './evidence-file.js';

/**
 * The public keys that signed the digests of a region (ListPublicKeys in that region: keys are
 * regional), for the span the digests cover plus two hours after (as awscli loads them), saved as
 * the API sent them in public-keys/<region>.json: offline validation needs them, and so does a
 * reviewer years later.
 */
export async function fetchPublicKeys(ctx: AwsContext, k: KeysTask): Promise<void> {
  k.state = 'running';
  for (;;) {
    const input = { StartTime: new Date(k.from), EndTime: new Date(k.to), ...(k.token ? { NextToken: k.token } : {}) };
    let r;
    try {
      r = await awsCall(ctx, { service: 'cloudtrail', operation: 'ListPublicKeys', region: k.region, resource: `public-keys/${k.region}`, parameters: { StartTime: k.from, EndTime: k.to, ...(k.token ? { NextToken: k.token } : {}) } }, (signal) =>
        ctx.clients.cloudtrail(k.region).send(new ListPublicKeysCommand(input), { abortSignal: signal }),
      );
    } catch (e) {
      await ctx.run.commit();
      if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
      k.state = e.kind === 'forbidden' ? 'forbidden' : 'failed';
      const message = `public keys of ${k.region} not collected (${e.message}): its digests cannot be verified offline (UNVERIFIABLE)`;
      ctx.run.recordGap({ gap: e.kind === 'forbidden' ? 'forbidden' : 'not-collected', resource: `public-keys/${k.region}`, verb: 'ListPublicKeys', from: k.from, to: k.to, message });
      ctx.progress.line(`  ${message}`);
      await ctx.run.commit(false, ctx.cp);
      return;
    }
    const name = `public-keys/${k.region}${k.files.length ? `-p${String(k.files.length + 1).padStart(4, '0')}` : ''}.json`;
    const file = path.join(ctx.dir, ...name.split('/'));
    writeEvidence(file, r.exchange.body);
    r.record({ responseFile: file, message: `${r.output.PublicKeyList?.length ?? 0} keys` });
    k.files.push(name);
    ctx.cp.state.files.push({ file: name, ready: true, ingested: false });
    k.token = r.output.NextToken ?? null;
    if (k.token === null) k.state = 'done';
    await ctx.run.commit(false, ctx.cp);
    if (k.state === 'done') return;
  }
}
