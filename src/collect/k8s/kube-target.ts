import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { KubeConfig, type User } from '@kubernetes/client-node';
import { UsageError } from '../../core/errors.js';

/** Where and as whom a collection talks to a cluster (never the credential itself). */
export interface KubeTarget {
  kc: KubeConfig;
  /** The API server URL. */
  server: string;
  /** The kubeconfig context used ("in-cluster" for the pod's service account). */
  context: string;
  /** Who the configuration names: user entry, and the subject of a client certificate. */
  configIdentity: string;
  /** How the configuration authenticates: token, exec:<command>, client-certificate, ... */
  authKind: string;
}

export interface KubeTargetOptions {
  kubeconfig?: string | null;
  context?: string | null;
  inCluster?: boolean;
  /** Test hook: the folder that stands for / when reading the in-cluster service account files. */
  inClusterRoot?: string;
}

/**
 * Loads the cluster configuration the way kubectl would: --in-cluster (the pod's service account,
 * through client-node's loadFromCluster), else --kubeconfig FILE, else $KUBECONFIG or
 * ~/.kube/config; --context picks a context. exec plugins and auth providers run as client-node
 * runs them, when a request needs a credential.
 */
export function loadKubeTarget(o: KubeTargetOptions): KubeTarget {
  const kc = new KubeConfig();
  let context: string;
  if (o.inCluster) {
    if (o.kubeconfig || o.context) throw new UsageError('--in-cluster takes neither --kubeconfig nor --context');
    if (!process.env['KUBERNETES_SERVICE_HOST'] || !process.env['KUBERNETES_SERVICE_PORT']) {
      throw new UsageError('--in-cluster: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set (podtrail is not running in a pod)');
    }
    const token = `${o.inClusterRoot ?? ''}/var/run/secrets/kubernetes.io/serviceaccount/token`;
    if (!existsSync(token)) throw new UsageError(`--in-cluster: no service account token at ${token}`);
    kc.loadFromCluster(o.inClusterRoot);
    context = 'in-cluster';
  } else {
    try {
      if (o.kubeconfig) {
        if (!existsSync(o.kubeconfig)) throw new UsageError(`--kubeconfig: ${o.kubeconfig} not found`);
        kc.loadFromFile(o.kubeconfig);
      } else {
        kc.loadFromDefault();
      }
    } catch (e) {
      if (e instanceof UsageError) throw e;
      throw new UsageError(`cannot read the kubeconfig${o.kubeconfig ? ` ${o.kubeconfig}` : ''}: ${(e as Error).message}`);
    }
    if (o.context) {
      if (!kc.getContextObject(o.context)) {
        throw new UsageError(`--context ${o.context}: no such context (known: ${kc.getContexts().map((c) => c.name).join(', ') || 'none'})`);
      }
      kc.setCurrentContext(o.context);
    }
    context = kc.getCurrentContext();
    if (!context) throw new UsageError('the kubeconfig names no current context: give --context NAME');
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new UsageError(`context ${context}: its cluster is not in the kubeconfig`);
  const user = kc.getCurrentUser();
  return { kc, server: cluster.server.replace(/\/+$/, ''), context, ...describeUser(user, context) };
}

/** The subject (CN, O) of a PEM certificate, or null when it cannot be read. */
function certificateSubject(pem: Buffer | null): string | null {
  if (!pem) return null;
  try {
    return new X509Certificate(pem).subject.replaceAll('\n', ', ');
  } catch {
    return null;
  }
}

function describeUser(user: User | null, context: string): { configIdentity: string; authKind: string } {
  if (!user) return { configIdentity: `context ${context} (no user)`, authKind: 'none' };
  const cert = user.certFile ? readFileSync(user.certFile) : user.certData ? Buffer.from(user.certData, 'base64') : null;
  const subject = certificateSubject(cert);
  const authKind = user.exec
    ? `exec:${String((user.exec as { command?: unknown }).command ?? '?')}`
    : user.authProvider
      ? `auth-provider:${String((user.authProvider as { name?: unknown }).name ?? '?')}`
      : cert
        ? 'client-certificate'
        : user.token
          ? 'token'
          : user.username
            ? 'basic'
            : 'none';
  return { configIdentity: `kubeconfig user ${user.name}${subject ? ` (certificate ${subject})` : ''}`, authKind };
}
