/**
 * Rows the report reads from the case, as the store gives them (timestamps as ISO text, INTEGER as
 * numbers, JSON as text): the row types shared by several sections. Each SELECT names these columns.
 */

/** A CloudTrail call of rpt_calls as a section lists it (the pod's calls also name their keys). */
export interface CallRow {
  ts: string;
  event_id: string;
  call: string | null;
  target: string;
  confidence: string | null;
  rule_id: string | null;
  rule_version: number | null;
  access_key_id?: string | null;
  issued_access_key_id?: string | null;
  error_code: string | null;
  /** JSON text: evidence ids by source. */
  evidence: string | null;
  as_candidate: boolean | null;
  candidates: number;
}

/** A Kubernetes request of kube_attributions (an outside address's also names the pod whose token it used). */
export interface KubeRow {
  ts: string;
  verb: string | null;
  resource: string | null;
  subresource: string | null;
  namespace: string | null;
  name: string | null;
  source_ip: string | null;
  off_pod: boolean | null;
  confidence: string | null;
  row_id: string;
  token_issued_row_id: string | null;
  pod_name?: string | null;
}

/** A person's action in a pod (pod_human_actions), with the runtime execs it caused. */
export interface HumanRow {
  ts: string;
  user_name: string | null;
  user_groups: string[] | null;
  action: string | null;
  command: string | null;
  container: string | null;
  source_ip: string | null;
  response_code: number | null;
  row_id: string;
  runtime_exec_row_ids: string[] | null;
  first_runtime_exec_at: string | null;
}

/** A use of a pod's credential from outside the cluster (rpt_credential_misuse). */
export interface OutsideRow {
  ts: string;
  source_ip: string | null;
  call: string | null;
  target: string;
  credential: string | null;
  owned_by: string | null;
  as_candidate: boolean | null;
  pod_gone: boolean | null;
  event_id: string;
}
