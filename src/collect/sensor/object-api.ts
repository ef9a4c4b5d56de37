import {
  AppsV1Api,
  CoreV1Api,
  Observable,
  RbacAuthorizationV1Api,
  type HttpInfo,
  type ObservableMiddleware as Middleware,
  type RequestContext,
} from '@kubernetes/client-node';
import type { K8sApi } from '../k8s/api-client.js';
import type { HttpExchange } from '../common/exchange.js';

type Obj = Record<string, unknown>;

/** The object kinds a sensor deployment is made of, and how each is listed across the cluster. */
export type ObjectKind = 'Namespace' | 'ServiceAccount' | 'ClusterRole' | 'ClusterRoleBinding' | 'ConfigMap' | 'DaemonSet' | 'Pod';

/** Resource names, for messages and custody records ("create daemonsets"). */
export const RESOURCE: Record<ObjectKind, string> = {
  Namespace: 'namespaces',
  ServiceAccount: 'serviceaccounts',
  ClusterRole: 'clusterroles',
  ClusterRoleBinding: 'clusterrolebindings',
  ConfigMap: 'configmaps',
  DaemonSet: 'daemonsets',
  Pod: 'pods',
};

/** What remove lists (by label) to prove the deployment is gone: every kind it created, and the pods they made. */
export const PROOF_KINDS: readonly ObjectKind[] = ['DaemonSet', 'Pod', 'ConfigMap', 'ServiceAccount', 'ClusterRoleBinding', 'ClusterRole', 'Namespace'];

export interface ListResult<T = Obj> {
  exchange: HttpExchange;
  items: T[];
}

type Call<T> = (options: { middleware: Middleware[] }) => Promise<HttpInfo<T>>;

/**
 * Creates, deletes and lists the objects of a sensor deployment through client-node's generated
 * clients and K8sApi.call (the response bytes kept, every request recorded by the caller). A create
 * sends exactly the bytes of the rendered manifest (client-node's typed serializer would drop
 * fields it does not know), with fieldValidation=Strict so the API server refuses an unknown or
 * duplicate field instead of dropping it.
 */
export class ObjectApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly rbac: RbacAuthorizationV1Api;
  constructor(private readonly api: K8sApi) {
    const kc = api.target.kc;
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  }

  /** Creates one object; the body sent is `body` byte for byte. */
  async create(kind: ObjectKind, manifest: Obj, body: string, signal?: AbortSignal): Promise<{ exchange: HttpExchange; object: Obj }> {
    const ns = String((manifest['metadata'] as Obj)['namespace'] ?? '');
    const exact: Middleware = {
      pre: (ctx: RequestContext) => {
        ctx.setBody(body);
        return new Observable(Promise.resolve(ctx));
      },
      post: (rsp) => new Observable(Promise.resolve(rsp)),
    };
    const p = { fieldValidation: 'Strict', body: manifest as never };
    const with1 = <T>(f: Call<T>): Call<T> => (options) => f({ middleware: [exact, ...options.middleware] });
    const calls: Record<Exclude<ObjectKind, 'Pod'>, Call<unknown>> = {
      Namespace: with1((o) => this.core.createNamespaceWithHttpInfo(p, o)),
      ServiceAccount: with1((o) => this.core.createNamespacedServiceAccountWithHttpInfo({ namespace: ns, ...p }, o)),
      ConfigMap: with1((o) => this.core.createNamespacedConfigMapWithHttpInfo({ namespace: ns, ...p }, o)),
      ClusterRole: with1((o) => this.rbac.createClusterRoleWithHttpInfo(p, o)),
      ClusterRoleBinding: with1((o) => this.rbac.createClusterRoleBindingWithHttpInfo(p, o)),
      DaemonSet: with1((o) => this.apps.createNamespacedDaemonSetWithHttpInfo({ namespace: ns, ...p }, o)),
    };
    if (kind === 'Pod') throw new Error('podtrail never creates pods');
    const { exchange } = await this.api.call(`create ${RESOURCE[kind]}`, calls[kind], signal);
    return { exchange, object: JSON.parse(exchange.body.toString('utf8')) as Obj };
  }

  /**
   * Deletes one object, only if it is still the one created (preconditions.uid): an object of the
   * same name made by someone else since is never touched (the server answers 409 Conflict).
   */
  async delete(kind: ObjectKind, name: string, namespace: string | null, uid: string, signal?: AbortSignal): Promise<{ exchange: HttpExchange }> {
    const body = { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background', preconditions: { uid } } as never;
    const ns = namespace ?? '';
    const calls: Record<Exclude<ObjectKind, 'Pod'>, Call<unknown>> = {
      Namespace: (o) => this.core.deleteNamespaceWithHttpInfo({ name, body }, o),
      ServiceAccount: (o) => this.core.deleteNamespacedServiceAccountWithHttpInfo({ name, namespace: ns, body }, o),
      ConfigMap: (o) => this.core.deleteNamespacedConfigMapWithHttpInfo({ name, namespace: ns, body }, o),
      ClusterRole: (o) => this.rbac.deleteClusterRoleWithHttpInfo({ name, body }, o),
      ClusterRoleBinding: (o) => this.rbac.deleteClusterRoleBindingWithHttpInfo({ name, body }, o),
      DaemonSet: (o) => this.apps.deleteNamespacedDaemonSetWithHttpInfo({ name, namespace: ns, body }, o),
    };
    if (kind === 'Pod') throw new Error('podtrail deletes the DaemonSet, never its pods');
    const { exchange } = await this.api.call(`delete ${RESOURCE[kind]}`, calls[kind], signal);
    return { exchange };
  }

  /** Lists one kind across the cluster (every namespace), optionally by label selector. */
  async list(kind: ObjectKind, labelSelector?: string, signal?: AbortSignal): Promise<ListResult> {
    const q = labelSelector ? { labelSelector } : {};
    const calls: Record<ObjectKind, Call<{ items: unknown[] }>> = {
      Namespace: (o) => this.core.listNamespaceWithHttpInfo(q, o),
      ServiceAccount: (o) => this.core.listServiceAccountForAllNamespacesWithHttpInfo(q, o),
      ConfigMap: (o) => this.core.listConfigMapForAllNamespacesWithHttpInfo(q, o),
      ClusterRole: (o) => this.rbac.listClusterRoleWithHttpInfo(q, o),
      ClusterRoleBinding: (o) => this.rbac.listClusterRoleBindingWithHttpInfo(q, o),
      DaemonSet: (o) => this.apps.listDaemonSetForAllNamespacesWithHttpInfo(q, o),
      Pod: (o) => this.core.listPodForAllNamespacesWithHttpInfo(q, o),
    };
    const { exchange } = await this.api.call(`list ${RESOURCE[kind]}`, calls[kind], signal);
    return { exchange, items: itemsOf(exchange) };
  }

  /** The pods of one namespace, by label selector. */
  async listPods(namespace: string, labelSelector: string | undefined, signal?: AbortSignal, fieldSelector?: string): Promise<ListResult> {
    const q = { namespace, ...(labelSelector ? { labelSelector } : {}), ...(fieldSelector ? { fieldSelector } : {}) };
    const { exchange } = await this.api.call('list pods', (o) => this.core.listNamespacedPodWithHttpInfo(q, o), signal);
    return { exchange, items: itemsOf(exchange) };
  }

  /** The events of one namespace (why a pod could not be created or started). */
  async listEvents(namespace: string, signal?: AbortSignal): Promise<ListResult> {
    const { exchange } = await this.api.call('list events', (o) => this.core.listNamespacedEventWithHttpInfo({ namespace }, o), signal);
    return { exchange, items: itemsOf(exchange) };
  }

  /** Every node. */
  async listNodes(signal?: AbortSignal): Promise<ListResult> {
    const { exchange } = await this.api.call('list nodes', (o) => this.core.listNodeWithHttpInfo({}, o), signal);
    return { exchange, items: itemsOf(exchange) };
  }
}

/** The items of a List response, read from the bytes received (not client-node's typed copy). */
export function itemsOf(ex: HttpExchange): Obj[] {
  const v = JSON.parse(ex.body.toString('utf8')) as { items?: Obj[] };
  return v.items ?? [];
}
