import type { StepState } from './collection-state.js';

/** One paged (or single) inventory request of the cluster collection. */
export interface InventoryCall {
  /** service:Operation[:argument], unique in the collection. */
  key: string;
  service: 'ec2' | 'eks' | 'iam';
  operation: string;
  region: string;
  /** The operation's argument: an association id, a role name (else null). */
  argument: string | null;
  state: StepState;
  next_token: string | null;
  pages: string[];
  items: number;
  /** When the first page came (the snapshot instant in every page's file name). */
  snapshot_at: string | null;
}

/** FilterLogEvents over the cluster's audit stream. */
export interface AuditScan {
  log_group: string;
  stream_prefix: string;
  /** Event times asked (ms): the window with its margin, the end widened by the delivery allowance. */
  from_ms: number;
  to_ms: number;
  /** How late CloudWatch Logs may still receive a record (the end of to_ms's widening). */
  allowance_ms: number;
  state: StepState;
  next_token: string | null;
  pages: string[];
  events: number;
}

/** `--cluster NAME`: the EKS cluster, its network and identity inventory, its audit log. */
export interface ClusterState {
  name: string;
  region: string;
  state: StepState;
  vpc_id: string | null;
  calls: InventoryCall[];
  /** Role ARNs whose trust policy to read (Pod Identity associations, IRSA annotations). */
  roles: string[];
  audit: AuditScan | null;
}
