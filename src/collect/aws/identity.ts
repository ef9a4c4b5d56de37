import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { awsCall } from './aws-call.js';
import type { AwsContext } from './aws-context.js';

/**
 * Who AWS says the collector is (STS GetCallerIdentity: no permission is needed for it), for
 * custody: the ARN (the role session or user), the account and the user id. The credentials
 * themselves are never read by podtrail: the SDK's provider chain signs the request.
 */
export async function resolveIdentity(ctx: AwsContext, region: string): Promise<{ arn: string; account: string; user_id: string }> {
  const r = await awsCall(ctx, { service: 'sts', operation: 'GetCallerIdentity', region, resource: 'identity', parameters: {} }, (signal) =>
    ctx.clients.sts(region).send(new GetCallerIdentityCommand({}), { abortSignal: signal }),
  );
  const id = { arn: r.output.Arn ?? '(no ARN)', account: r.output.Account ?? '', user_id: r.output.UserId ?? '' };
  ctx.run.identity = `${id.arn} (account ${id.account}, user id ${id.user_id})`;
  r.record({ message: `identity: ${ctx.run.identity}` });
  return id;
}
