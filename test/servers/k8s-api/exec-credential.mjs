#!/usr/bin/env node
// A kubeconfig exec credential plugin for the tests: prints an ExecCredential
// (client.authentication.k8s.io/v1) carrying the token given in PODTRAIL_TEST_TOKEN, as
// aws eks get-token or gke-gcloud-auth-plugin would print theirs.
const token = process.env.PODTRAIL_TEST_TOKEN;
if (!token) {
  process.stderr.write('exec-credential: PODTRAIL_TEST_TOKEN is not set\n');
  process.exit(1);
}
const expires = new Date(Date.now() + 10 * 60 * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
process.stdout.write(
  JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: 'client.authentication.k8s.io/v1',
    spec: { interactive: false },
    status: { expirationTimestamp: expires, token },
  }),
);
