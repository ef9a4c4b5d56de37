import type { Human, Node, Workload } from './model.js';
import { type Ns, minutes, sec } from './ns-time.js';
import { Rng } from './prng.js';
import { ACCOUNT_ID, buildAccount } from './aws-catalog.js';
import { ClusterBuilder, type NodeOptions } from './cluster-builder.js';
import { API_SERVER, aws, container, kube, profile } from './profiles.js';

/**
 * What every scenario's cluster has before its incident: nodes, the EKS system DaemonSets
 * (aws-node, kube-proxy, the Pod Identity Agent, Tetragon where a sensor runs, Falco on some
 * nodes), coredns, cluster-autoscaler (IRSA), metrics-server, a small shop application (one
 * IRSA worker among plain services), a rollout during the span, and three people.
 */

export const EKS_ECR = '602401143452.dkr.ecr.us-west-2.amazonaws.com';
export const OWN_ECR = `${ACCOUNT_ID}.dkr.ecr.us-west-2.amazonaws.com`;

export interface Base {
  b: ClusterBuilder;
  nodes: Node[];
  alice: Human;
  bob: Human;
  carol: Human;
  span: { from: Ns; to: Ns };
}

export interface BaseOptions {
  seed: number;
  span: { from: Ns; to: Ns };
  nodes: NodeOptions[];
}

export function buildBase(o: BaseOptions): Base {
  const rng = Rng.stream(o.seed, 'cluster');
  const b = new ClusterBuilder(o.seed, buildAccount(rng), rng);
  const from = o.span.from;
  const nodes = o.nodes.map((n) => b.addNode(n, b.longAgo(from) - minutes(6 * 60)));
  const longAgo = (): Ns => b.longAgo(from);

  // kube-system DaemonSets.
  const awsNode = b.addWorkload({
    kind: 'DaemonSet',
    name: 'aws-node',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'aws-node', { kind: 'none' }, longAgo()),
    hostNetwork: true,
    usesNodeRole: true,
    sdk: 'go-v2',
    labels: { 'k8s-app': 'aws-node', 'app.kubernetes.io/name': 'aws-node' },
    containers: [container('aws-node', `${EKS_ECR}/amazon-k8s-cni`, 'v1.18.5-eksbuild.1', '/app/aws-k8s-agent', '')],
    profile: profile({
      connectsPerMin: 0.6,
      peers: [API_SERVER],
      imdsPerMin: 0.12,
      aws: [aws('ec2.DescribeNetworkInterfaces', 0.05, { instanceId: '{instanceId}' }, 0.5)],
      kube: [kube('get-node', 0.08)],
    }),
  });
  const kubeProxy = b.addWorkload({
    kind: 'DaemonSet',
    name: 'kube-proxy',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'kube-proxy', { kind: 'none' }, longAgo()),
    hostNetwork: true,
    labels: { 'k8s-app': 'kube-proxy' },
    containers: [container('kube-proxy', `${EKS_ECR}/eks/kube-proxy`, 'v1.31.2-minimal-eksbuild.3', '/usr/local/bin/kube-proxy', '--v=2 --config=/var/lib/kube-proxy-config/config --hostname-override=$(NODE_NAME)')],
    profile: profile({
      jobsPerMin: 0.6,
      job: { binary: '/usr/sbin/iptables-restore', args: '-w 5 -W 100000 --noflush --counters', peers: [] },
      kube: [kube('list-endpointslices', 0.04)],
    }),
  });
  const agent = b.addWorkload({
    kind: 'DaemonSet',
    name: 'eks-pod-identity-agent',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'eks-pod-identity-agent', { kind: 'none' }, longAgo()),
    hostNetwork: true,
    usesNodeRole: true,
    labels: { 'app.kubernetes.io/name': 'eks-pod-identity-agent', 'app.kubernetes.io/instance': 'eks-pod-identity-agent' },
    containers: [container('eks-pod-identity-agent', `${EKS_ECR}/eks/eks-pod-identity-agent`, 'v0.1.15', '/go-runner', 'eks-pod-identity-agent server --port 80 --cluster-name prod-payments-eks --probe-port 2703')],
    profile: profile({ connectsPerMin: 0.05, peers: [API_SERVER] }),
  });
  const tetragonSpec = container('tetragon', 'quay.io/cilium/tetragon', 'v1.6.1', '/usr/bin/tetragon', '--config-dir=/etc/tetragon/tetragon.conf.d/');
  const tetragon = b.addWorkload({
    kind: 'DaemonSet',
    name: 'tetragon',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'tetragon', { kind: 'none' }, longAgo()),
    hostNetwork: true,
    labels: { 'app.kubernetes.io/name': 'tetragon', 'app.kubernetes.io/instance': 'tetragon' },
    containers: [tetragonSpec],
    profile: profile({ connectsPerMin: 0.1, peers: [API_SERVER], kube: [kube('list-pods', 0.01, `spec.nodeName`)] }),
  });
  const falco = b.addWorkload({
    kind: 'DaemonSet',
    name: 'falco',
    namespace: 'falco',
    sa: b.addServiceAccount('falco', 'falco', { kind: 'none' }, longAgo()),
    labels: { 'app.kubernetes.io/name': 'falco', 'app.kubernetes.io/instance': 'falco' },
    containers: [container('falco', 'docker.io/falcosecurity/falco', '0.39.2', '/usr/bin/falco', '--cri /run/containerd/containerd.sock -pk')],
    profile: profile({ connectsPerMin: 0.05, peers: [API_SERVER] }),
  });
  for (const n of nodes) {
    b.addPod(awsNode, { node: n, createdNs: n.createdNs + sec(30) });
    b.addPod(kubeProxy, { node: n, createdNs: n.createdNs + sec(31) });
    const a = b.addPod(agent, { node: n, createdNs: n.createdNs + sec(33) });
    b.cluster.podIdentityAgents.set(n.name, a);
    if (n.sensor) {
      // Mid-upgrade (OnDelete): nodes still on the old sensor run the old image.
      const specs = n.sensor === 'v1.6.1' ? undefined : [{ ...tetragonSpec, tag: n.sensor }];
      b.addPod(tetragon, { node: n, createdNs: n.createdNs + sec(40), ...(specs ? { specs } : {}) });
    }
    if (n.falco) b.addPod(falco, { node: n, createdNs: n.createdNs + sec(45) });
  }

  // kube-system Deployments.
  const place = (i: number): Node => nodes[i % nodes.length] as Node;
  const coredns = b.addWorkload({
    name: 'coredns',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'coredns', { kind: 'none' }, longAgo()),
    labels: { 'k8s-app': 'kube-dns', 'eks.amazonaws.com/component': 'coredns' },
    containers: [container('coredns', `${EKS_ECR}/eks/coredns`, 'v1.11.3-eksbuild.1', '/coredns', '-conf /etc/coredns/Corefile', { ports: [53] })],
    profile: profile({ connectsPerMin: 0.3, peers: [API_SERVER], kube: [kube('list-endpointslices', 0.03)] }),
  });
  b.addPod(coredns, { node: place(0), createdNs: longAgo() });
  b.addPod(coredns, { node: place(1), createdNs: longAgo() });
  const ca = b.addWorkload({
    name: 'cluster-autoscaler',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'cluster-autoscaler', b.irsaRole('prod-payments-eks-cluster-autoscaler'), longAgo()),
    sdk: 'go-v1',
    labels: { 'app.kubernetes.io/name': 'aws-cluster-autoscaler', 'app.kubernetes.io/instance': 'cluster-autoscaler' },
    containers: [container('aws-cluster-autoscaler', 'registry.k8s.io/autoscaling/cluster-autoscaler', 'v1.31.0', '/cluster-autoscaler', '--cloud-provider=aws --namespace=kube-system --node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/prod-payments-eks')],
    profile: profile({
      connectsPerMin: 0.5,
      peers: [API_SERVER],
      aws: [aws('asg.DescribeAutoScalingGroups', 0.35, {}, 0.7), aws('ec2.DescribeInstances', 0.04, {}, 0.5)],
      kube: [kube('lease', 0.5, 'cluster-autoscaler')],
    }),
  });
  b.addPod(ca, { node: place(2), createdNs: longAgo() });
  const ms = b.addWorkload({
    name: 'metrics-server',
    namespace: 'kube-system',
    sa: b.addServiceAccount('kube-system', 'metrics-server', { kind: 'none' }, longAgo()),
    labels: { 'app.kubernetes.io/name': 'metrics-server', 'app.kubernetes.io/instance': 'metrics-server' },
    containers: [container('metrics-server', 'registry.k8s.io/metrics-server/metrics-server', 'v0.7.2', '/metrics-server', '--secure-port=10251 --kubelet-preferred-address-types=InternalIP', { uid: 1000 })],
    profile: profile({ connectsPerMin: 1.5, peers: [{ nodes: true, port: 10250 }] }),
  });
  b.addPod(ms, { node: place(3), createdNs: longAgo() });

  // The shop application.
  const shopWl = (name: string, binary: string, prof: ReturnType<typeof profile>, extra: Partial<Parameters<ClusterBuilder['addWorkload']>[0]> = {}): Workload =>
    b.addWorkload({
      name,
      namespace: 'shop',
      sa: extra.sa ?? b.addServiceAccount('shop', 'default', { kind: 'none' }, longAgo()),
      containers: [container(name, `${OWN_ECR}/shop/${name}`, '2.3.0', binary, '', { cwd: '/app', uid: 10001 })],
      profile: prof,
      ...extra,
    });
  const postgres = shopWl('postgres', '/usr/local/bin/postgres', profile({ probe: ['/bin/sh', '-c exec pg_isready -U "postgres" -h 127.0.0.1 -p 5432'], probeEverySec: 10 }), {
    kind: 'StatefulSet',
    containers: [container('postgres', 'docker.io/library/postgres', '16.4', '/usr/local/bin/postgres', '-c config_file=/etc/postgresql/postgresql.conf', { uid: 999 })],
  });
  const redis = shopWl('redis', '/usr/local/bin/redis-server', profile({ probe: ['/bin/sh', '-c redis-cli ping'], probeEverySec: 10 }), {
    kind: 'StatefulSet',
    containers: [container('redis', 'docker.io/library/redis', '7.4.1', '/usr/local/bin/redis-server', '*:6379', { uid: 999 })],
  });
  const catalog = shopWl('catalog', '/app/catalog', profile({ connectsPerMin: 3, peers: [{ workload: 'postgres', port: 5432 }], kube: [kube('get-configmap', 0.02, 'catalog-config')] }));
  const cart = shopWl('cart', '/app/cart', profile({ connectsPerMin: 3, peers: [{ workload: 'redis', port: 6379 }] }));
  const frontend = shopWl(
    'frontend',
    '/usr/local/bin/node',
    profile({ connectsPerMin: 6, peers: [{ workload: 'catalog', port: 8080 }, { workload: 'cart', port: 8080 }] }),
  );
  const orders = shopWl(
    'orders-worker',
    '/usr/local/bin/python3',
    profile({
      connectsPerMin: 1,
      peers: [{ workload: 'postgres', port: 5432 }],
      jobsPerMin: 0.2,
      job: { binary: '/usr/local/bin/python3', args: 'manage.py process_batch --limit 200', peers: [{ workload: 'postgres', port: 5432 }] },
      aws: [
        aws('s3.PutObject', 0.12, { bucket: 'acme-shop-exports', key: 'orders/{date}/{uuid}.json' }),
        aws('sqs.SendMessage', 0.3, {}, 0.6),
        aws('ssm.GetParameters', 0.02, { names: '/shop/orders/batch-size,/shop/orders/queue-url' }),
      ],
    }),
    { sa: b.addServiceAccount('shop', 'orders-worker', b.irsaRole('shop-orders-worker'), longAgo()), sdk: 'boto3' },
  );
  b.addPod(postgres, { node: place(1), createdNs: longAgo(), name: 'postgres-0' });
  b.addPod(redis, { node: place(2), createdNs: longAgo(), name: 'redis-0' });
  for (let i = 0; i < 3; i++) b.addPod(frontend, { node: place(i), createdNs: longAgo() });
  for (let i = 0; i < 2; i++) b.addPod(cart, { node: place(i + 2), createdNs: longAgo() });
  for (let i = 0; i < 2; i++) b.addPod(orders, { node: place(i + 1), createdNs: longAgo() });
  // catalog rolls out 35 minutes into the span: new ReplicaSet, old pods deleted one by one.
  const rollout = from + minutes(35);
  for (let i = 0; i < 2; i++) {
    b.addPod(catalog, { node: place(i + 3), createdNs: longAgo(), deletedNs: rollout + sec(40 + i * 45) });
    b.addPod(catalog, { node: place(i + 1), createdNs: rollout + sec(i * 45) }, 1);
  }

  const alice = b.addHuman('alice@example.com', '198.51.100.24', ['platform-admins'], 'macos');
  const bob = b.addHuman('bob@example.com', '198.51.100.61', ['developers'], 'linux');
  const carol = b.addHuman('carol@example.com', '198.51.100.87', ['sre'], 'macos');
  return { b, nodes, alice, bob, carol, span: o.span };
}
