import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export type KubeUser = { token: string } | { exec: { command: string; args: string[]; env?: { name: string; value: string }[] } };

/** Writes a kubeconfig for the loopback server: its CA by file, a bearer token or an exec plugin. */
export function writeKubeconfig(file: string, o: { server: string; caFile: string; user: KubeUser; context?: string }): string {
  const ctx = o.context ?? 'loopback';
  const user = 'token' in o.user ? { token: o.user.token } : { exec: { apiVersion: 'client.authentication.k8s.io/v1', interactiveMode: 'Never', ...o.user.exec } };
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'loopback', cluster: { server: o.server, 'certificate-authority': o.caFile } }],
      users: [{ name: 'responder', user }],
      contexts: [{ name: ctx, context: { cluster: 'loopback', user: 'responder' } }],
      'current-context': ctx,
    }),
  );
  return file;
}
