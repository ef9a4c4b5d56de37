import { RequestFailure } from '../common/collect-error.js';
import { withRetry } from '../common/retry.js';
import { isFatal, type K8sContext } from './k8s-context.js';

/**
 * Who the API server says the collector is (SelfSubjectReview, authentication.k8s.io/v1, GA in
 * Kubernetes 1.28). On an older cluster (404) or without the permission (403) the identity is what
 * the kubeconfig names, and the record says which it is.
 */
export async function resolveIdentity(ctx: Pick<K8sContext, 'api' | 'run' | 'retry' | 'signal' | 'target'>): Promise<{ identity: string; source: string }> {
  try {
    const r = await withRetry(
      async (attempt) => {
        try {
          return await ctx.api.selfSubjectReview(ctx.signal);
        } catch (e) {
          if (e instanceof RequestFailure && e.exchange) ctx.run.recordExchange(e.exchange, { resource: 'selfsubjectreviews', verb: 'create', attempt, outcome: e.kind, message: e.message });
          throw e;
        }
      },
      ctx.retry,
      { signal: ctx.signal },
    );
    const u = r.user;
    const identity = `${u.username ?? '(no username)'}${u.uid ? ` uid ${u.uid}` : ''}${u.groups?.length ? ` groups ${u.groups.join(',')}` : ''}`;
    ctx.run.identity = identity;
    ctx.run.recordExchange(r.exchange, { resource: 'selfsubjectreviews', verb: 'create', attempt: 1, outcome: 'ok', message: `identity: ${identity}` });
    return { identity, source: 'SelfSubjectReview' };
  } catch (e) {
    if (!(e instanceof RequestFailure) || isFatal(e)) throw e;
    const identity = `${ctx.target.configIdentity} (${ctx.target.authKind})`;
    ctx.run.identity = identity;
    const why = e.kind === 'not-found' ? 'the server has no SelfSubjectReview API (Kubernetes before 1.28)' : e.kind === 'forbidden' ? 'create selfsubjectreviews is not allowed' : e.message;
    return { identity, source: `kubeconfig (${why})` };
  }
}
