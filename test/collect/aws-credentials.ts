/**
 * The loopback AWS account's credentials and retry policy, apart from the harness (which makes
 * cases through test/helpers) so that plain node can load them too (the benchmark's tools).
 */
export const ACCESS_KEY = 'AKIAPODTRAILTEST0001';
export const SECRET_KEY = 'podtrail/secret+key/never-written-anywhere-0123456789';
export const SESSION_TOKEN = 'FwoGZXIvYXdzEPODTRAIL-session-token-never-written-anywhere';
export const CALLER = { arn: 'arn:aws:sts::111122223333:assumed-role/IncidentResponder/alice', account: '111122223333', userId: 'AROAEXAMPLEID:alice' };

export const TEST_RETRY = { attempts: 3, baseDelayMs: 50, maxDelayMs: 200, maxRetryAfterMs: 2000 };

/** Credentials for the SDK's default chain (environment), and no instance metadata lookups. */
export function useTestCredentials(): void {
  for (const k of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_S3', 'AWS_ROLE_ARN', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI']) delete process.env[k];
  process.env['AWS_ACCESS_KEY_ID'] = ACCESS_KEY;
  process.env['AWS_SECRET_ACCESS_KEY'] = SECRET_KEY;
  process.env['AWS_SESSION_TOKEN'] = SESSION_TOKEN;
  process.env['AWS_EC2_METADATA_DISABLED'] = 'true';
}
