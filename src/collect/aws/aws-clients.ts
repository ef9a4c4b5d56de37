import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { S3Client } from '@aws-sdk/client-s3';
import { STSClient } from '@aws-sdk/client-sts';
import { EC2Client } from '@aws-sdk/client-ec2';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { captureExchanges } from './capture-handler.js';

export interface AwsTargetOptions {
  /** --profile: a named profile of the shared config and credentials files; else the default chain. */
  profile: string | null;
  /**
   * An endpoint for every service (a VPC endpoint, a test server); else the SDK's own resolution,
   * which also honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>. S3 is then addressed
   * path-style (http://endpoint/bucket/key).
   */
  endpoint: string | null;
  /** Per request: connection and response (socket idle) timeouts, ms. */
  timeoutMs: number;
}

/**
 * The SDK clients of a collection, one per service and region, each with maxAttempts 1 (podtrail
 * retries itself, so each attempt is its own custody record with its request id, status and wait)
 * and the exchange-keeping handler. Credentials come from the SDK's default provider chain
 * (environment, shared config and credentials files with --profile or AWS_PROFILE, SSO, web
 * identity, ECS and EC2 roles): podtrail never reads or stores a secret itself.
 */
export class AwsClients {
  private cache = new Map<string, { destroy(): void }>();
  constructor(readonly o: AwsTargetOptions) {}

  private common(region: string): Record<string, unknown> {
    return {
      region,
      maxAttempts: 1,
      // the middleware resolved once per command, not per call (calls pass no per-call options:
      // their abort signal reaches the HTTP handler through capture-handler's exchange slot)
      cacheMiddleware: true,
      ...(this.o.profile ? { profile: this.o.profile } : {}),
      ...(this.o.endpoint ? { endpoint: this.o.endpoint } : {}),
      requestHandler: { requestTimeout: this.o.timeoutMs, connectionTimeout: this.o.timeoutMs },
    };
  }

  private get<T extends { destroy(): void }>(key: string, make: () => T): T {
    let c = this.cache.get(key) as T | undefined;
    if (!c) {
      c = make();
      captureExchanges(c as unknown as { config: { requestHandler: unknown } });
      this.cache.set(key, c);
    }
    return c;
  }

  cloudtrail(region: string): CloudTrailClient {
    return this.get(`cloudtrail/${region}`, () => new CloudTrailClient(this.common(region)));
  }

  s3(region: string): S3Client {
    const pathStyle = this.o.endpoint !== null || process.env['AWS_ENDPOINT_URL_S3'] !== undefined || process.env['AWS_ENDPOINT_URL'] !== undefined;
    return this.get(`s3/${region}`, () => new S3Client({ ...this.common(region), forcePathStyle: pathStyle }));
  }

  sts(region: string): STSClient {
    return this.get(`sts/${region}`, () => new STSClient(this.common(region)));
  }

  ec2(region: string): EC2Client {
    return this.get(`ec2/${region}`, () => new EC2Client(this.common(region)));
  }

  eks(region: string): EKSClient {
    return this.get(`eks/${region}`, () => new EKSClient(this.common(region)));
  }

  /** IAM is global: its endpoint is in us-east-1 (aws partition). */
  iam(region: string): IAMClient {
    return this.get(`iam/${region}`, () => new IAMClient(this.common(region)));
  }

  logs(region: string): CloudWatchLogsClient {
    return this.get(`logs/${region}`, () => new CloudWatchLogsClient(this.common(region)));
  }

  destroy(): void {
    for (const c of this.cache.values()) c.destroy();
  }
}
