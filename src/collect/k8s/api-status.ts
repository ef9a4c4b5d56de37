/** A Kubernetes Status object (the body of every API error), as far as podtrail reads it. */
export interface K8sStatus {
  kind?: string;
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
  details?: { kind?: string; name?: string; group?: string; retryAfterSeconds?: number };
  metadata?: { continue?: string; resourceVersion?: string };
}

/** The Status in a response body, or null when the body is not one. */
export function parseStatus(body: Buffer | null): K8sStatus | null {
  if (!body || body.length === 0 || body.length > 1 << 20) return null;
  try {
    const v = JSON.parse(body.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && (v as K8sStatus).kind === 'Status' ? (v as K8sStatus) : null;
  } catch {
    return null;
  }
}

/** What the server said about a failed request, for a message: reason and message of its Status. */
export function statusText(status: number, body: Buffer | null): string {
  const s = parseStatus(body);
  if (s) return `HTTP ${status} ${s.reason ?? ''}${s.message ? `: ${s.message}` : ''}`.replace('  ', ' ');
  const text = body && body.length > 0 ? body.subarray(0, 200).toString('utf8').replace(/\s+/g, ' ').trim() : '';
  return `HTTP ${status}${text ? `: ${text}` : ''}`;
}
