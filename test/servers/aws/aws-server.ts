/**
 * One loopback HTTP server for every AWS service a collector test talks to. Each request is routed
 * by the service in its SigV4 credential scope (Authorization: AWS4-HMAC-SHA256
 * Credential=AKID/date/REGION/SERVICE/aws4_request, ...), as AWS's own endpoints are per service:
 * so one endpoint URL (AWS_ENDPOINT_URL, or the SDK's `endpoint`) serves CloudTrail (AWS JSON 1.1),
 * S3 (REST-XML, path style), STS (query), and whatever a later collector adds (EC2 and IAM query,
 * EKS REST-JSON, CloudWatch Logs JSON 1.1) by registering a handler. The server checks the
 * signature's form and access key (not its HMAC: that is the SDK's business), records every request,
 * gives each a request id, and applies injected faults: an AWS error (throttling, 5xx, access
 * denied), slow headers, a body cut mid-way, a connection reset.
 */
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface AwsRequest {
  service: string;
  region: string;
  accessKeyId: string;
  /** The operation (X-Amz-Target's last part, the query Action, or the S3 verb: ListObjectsV2, GetObject, HeadObject). */
  operation: string;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  requestId: string;
  at: number;
}

export interface AwsResponse {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

/** A service's handler: the response to one request (the server applies faults around it). */
export interface AwsService {
  /** SigV4 service name (cloudtrail, s3, sts, ec2, iam, eks, logs). */
  name: string;
  operationOf(req: Omit<AwsRequest, 'operation'>): string;
  handle(req: AwsRequest): AwsResponse | Promise<AwsResponse>;
  /** The error body in this service's protocol. */
  error(req: AwsRequest, status: number, code: string, message: string): AwsResponse;
}

export type AwsFaultAction =
  | { kind: 'error'; status: number; code: string; message?: string; retryAfter?: number }
  | { kind: 'slow'; ms: number }
  | { kind: 'cut'; afterBytes: number }
  | { kind: 'reset' };

export interface AwsFault {
  /** "service:Operation", e.g. "cloudtrail:LookupEvents", "s3:GetObject". */
  request: string;
  /** Only requests whose path (S3 key) or region matches. */
  match?: (r: AwsRequest) => boolean;
  times?: number;
  action: AwsFaultAction;
}

export interface FakeAwsOptions {
  /** Access key ids accepted (others get the service's InvalidClientTokenId / InvalidAccessKeyId). */
  accessKeys: string[];
}

const SCOPE = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=[^,]+, ?Signature=[0-9a-f]{64}$/;

export class FakeAws {
  readonly received: AwsRequest[] = [];
  readonly faults: AwsFault[] = [];
  private services = new Map<string, AwsService>();
  private server: http.Server;
  private sockets = new Set<Socket>();
  private seq = 0;
  url = '';
  /** Called with every request as it arrives (a test stops the collector at a chosen request). */
  onRequest: ((r: AwsRequest) => void) | null = null;
  /** Time every answer waits before its headers (a remote endpoint's time to first byte, for the benchmark). */
  firstByteMs = 0;

  constructor(private readonly o: FakeAwsOptions) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((e: unknown) => res.destroy(e as Error));
    });
    this.server.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
  }

  register(service: AwsService): this {
    this.services.set(service.name, service);
    return this;
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Requests of one operation ("cloudtrail:LookupEvents"). */
  requests(op: string): AwsRequest[] {
    return this.received.filter((r) => `${r.service}:${r.operation}` === op);
  }

  private takeFault(r: AwsRequest): AwsFaultAction | null {
    const i = this.faults.findIndex((f) => f.request === `${r.service}:${r.operation}` && (!f.match || f.match(r)));
    if (i === -1) return null;
    const f = this.faults[i]!;
    f.times = (f.times ?? 1) - 1;
    if (f.times <= 0) this.faults.splice(i, 1);
    return f.action;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const requestId = `req-${String(++this.seq).padStart(6, '0')}-${(this.seq * 2654435761 >>> 0).toString(16)}`;
    const m = SCOPE.exec(req.headers.authorization ?? '');
    const service = m ? this.services.get(m[4]!) : undefined;
    const date = new Date().toUTCString();
    if (!m || !service) {
      res.writeHead(m ? 400 : 403, { 'Content-Type': 'text/plain', Date: date, 'x-amzn-RequestId': requestId });
      res.end(m ? `no such service ${m[4]}` : 'missing or malformed SigV4 Authorization');
      return;
    }
    const base = { service: m[4]!, region: m[3]!, accessKeyId: m[1]!, method: req.method!, path: url.pathname, query: url.searchParams, headers: req.headers, body, requestId, at: Date.now() };
    const r: AwsRequest = { ...base, operation: service.operationOf(base) };
    this.received.push(r);
    this.onRequest?.(r);
    const fault = this.takeFault(r);
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    if (res.destroyed) return;
    let out: AwsResponse;
    if (!this.o.accessKeys.includes(r.accessKeyId)) out = service.error(r, 403, r.service === 's3' ? 'InvalidAccessKeyId' : 'InvalidClientTokenId', 'The security token included in the request is invalid.');
    else if (fault?.kind === 'error') {
      out = service.error(r, fault.status, fault.code, fault.message ?? fault.code);
      if (fault.retryAfter !== undefined) out.headers = { ...(out.headers ?? {}), 'Retry-After': String(fault.retryAfter) };
    } else out = await service.handle(r);
    if (this.firstByteMs > 0) await new Promise((resolve) => setTimeout(resolve, this.firstByteMs));
    if (res.destroyed) return;
    const bytes = Buffer.isBuffer(out.body) ? out.body : Buffer.from(out.body ?? '', 'utf8');
    const idHeader = r.service === 's3' ? 'x-amz-request-id' : 'x-amzn-RequestId';
    const headers = { Date: date, [idHeader]: requestId, ...(out.headers ?? {}) };
    if (fault?.kind === 'cut') {
      res.writeHead(out.status, { ...headers, 'Content-Length': String(bytes.length) });
      res.write(bytes.subarray(0, fault.afterBytes), () => setTimeout(() => res.socket?.destroy(), 20));
      return;
    }
    res.writeHead(out.status, { ...headers, 'Content-Length': String(req.method === 'HEAD' ? (out.headers?.['Content-Length'] ?? bytes.length) : bytes.length) });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}

/** AWS JSON 1.1 (CloudTrail, CloudWatch Logs): X-Amz-Target "<prefix>.<Operation>", JSON errors with __type. */
export function json11Service(name: string, handlers: Record<string, (body: Record<string, unknown>, r: AwsRequest) => AwsResponse | Promise<AwsResponse>>): AwsService {
  return {
    name,
    operationOf: (r) => String(r.headers['x-amz-target'] ?? '').split('.').pop() ?? '',
    handle: (r) => {
      const h = handlers[r.operation];
      if (!h) return json11Error(400, 'UnknownOperationException', `unknown operation ${r.operation}`);
      if (r.headers['content-type'] !== 'application/x-amz-json-1.1') return json11Error(400, 'SerializationException', 'Content-Type must be application/x-amz-json-1.1');
      return h(JSON.parse(r.body.toString('utf8') || '{}') as Record<string, unknown>, r);
    },
    error: (_r, status, code, message) => json11Error(status, code, message),
  };
}

export function json11(body: unknown): AwsResponse {
  return { status: 200, headers: { 'Content-Type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) };
}

export function json11Error(status: number, code: string, message: string): AwsResponse {
  return { status, headers: { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': `${code}:` }, body: JSON.stringify({ __type: code, message }) };
}

export function xmlEscape(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;');
}

/** The query protocol (STS, IAM, EC2-style): form-encoded Action=..., XML answers and errors. */
export function queryService(name: string, xmlns: string, handlers: Record<string, (params: URLSearchParams, r: AwsRequest) => AwsResponse>): AwsService {
  return {
    name,
    operationOf: (r) => new URLSearchParams(r.body.toString('utf8')).get('Action') ?? r.query.get('Action') ?? '',
    handle: (r) => {
      const h = handlers[r.operation];
      if (!h) return queryError(r, 400, 'InvalidAction', `unknown action ${r.operation}`);
      return h(new URLSearchParams(r.body.toString('utf8')), r);
    },
    error: (r, status, code, message) => queryError(r, status, code, message, xmlns),
  };
}

function queryError(r: AwsRequest, status: number, code: string, message: string, xmlns = 'https://sts.amazonaws.com/doc/2011-06-15/'): AwsResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/xml' },
    body: `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${r.requestId}</RequestId></ErrorResponse>`,
  };
}
