/** Status objects as kube-apiserver writes them (k8s.io/apimachinery/pkg/api/errors). */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: { continue?: string; resourceVersion?: string };
  status: 'Failure';
  message: string;
  reason: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number };
  code: number;
}

function status(code: number, reason: string, message: string, details?: Status['details'], metadata: Status['metadata'] = {}): Status {
  return { kind: 'Status', apiVersion: 'v1', metadata, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export const unauthorized = (): Status => status(401, 'Unauthorized', 'Unauthorized');

/** errors.NewForbidden for a cluster-scoped request (the RBAC authorizer's wording). */
export const forbidden = (user: string, verb: string, resource: string, group = ''): Status =>
  status(403, 'Forbidden', `${resource} is forbidden: User "${user}" cannot ${verb} resource "${resource}" in API group "${group}" at the cluster scope`, { kind: resource });

/** errors.NewResourceExpired for a continue token that is too old (with the token to go on inconsistently). */
export const continueExpired = (nextContinue: string): Status =>
  status(
    410,
    'Expired',
    'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
    undefined,
    { continue: nextContinue },
  );

/** The watch cache's answer to a resourceVersion it no longer holds. */
export const tooOldResourceVersion = (asked: string, oldest: number): Status => status(410, 'Expired', `too old resource version: ${asked} (${oldest})`);

export const tooManyRequests = (retryAfterSeconds: number): Status =>
  status(429, 'TooManyRequests', 'The API server is shutting down or getting too many requests; please try again later.', { retryAfterSeconds });

export const internalError = (code = 500): Status =>
  code === 503 ? status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request') : status(500, 'InternalError', 'Internal error occurred: etcdserver: request timed out');

export const notFound = (what: string): Status => status(404, 'NotFound', `the server could not find the requested resource (${what})`, {});
