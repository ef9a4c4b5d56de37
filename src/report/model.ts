/**
 * The report's data: every value a display string (or number, boolean, list), every list sorted in
 * SQL or by the builders. The renderer escapes every string; templates never compare strings
 * (booleans come from here) and print no string inside an attribute: SVG geometry is numbers, and
 * classes come from the fixed table of the `cls` helper.
 */
export interface ReportModel {
  case_id: string;
  window_from: string;
  window_to: string;
  window_reason: string;
  margin_seconds: number;
  namespaces: string[];
  all_namespaces: boolean;
  tool: string;
  signed: boolean;
  keyid: string;
  inputs: InputLine[];
  input_totals: { files: number; landed: number; refused: number; records_landed: number; bytes: number };
  sources: { source: string; files: number; records_landed: number }[];
  attribution_totals: { confidence: string; path: string; calls: number }[];
  attribution_reasons: { confidence: string; reason: string; calls: number }[];
  kube_totals: { confidence: string; requests: number }[];
  /** Every ranked finding, one line each (the answer). */
  answer: AnswerLine[];
  has_answer: boolean;
  answer_total: number;
  answer_omitted: number;
  /** The detailed sections, for the first findings of the answer. */
  findings: ActorFinding[];
  routine: RoutineLine[];
  has_routine: boolean;
  svg: SvgTimeline;
  attack_paths: AttackPath[];
  has_attack_paths: boolean;
  gaps: GapLine[];
  has_gaps: boolean;
  gap_findings_total: number;
  custody_entries: number;
  custody_head: string;
  timeline_events: number;
}

export interface InputLine {
  evidence_file_id: string;
  origin: string;
  source: string;
  status: string;
  sha256: string;
  size_bytes: number;
  acquired_at: string;
  operator: string;
}

export interface GapLine {
  check_id: string;
  kind: string;
  finding_id: string;
  message: string;
  interval: string;
  where: string;
  weakens: number;
}

/** An actor: a pod, a node's host processes, or an address outside the cluster. */
export interface ActorRef {
  actor_kind: 'pod' | 'node' | 'outside';
  actor_id: string;
  /** What a reader calls it: namespace/name for a pod, the node name, the address. */
  label: string;
  is_pod: boolean;
  is_node: boolean;
  is_outside: boolean;
}

/** One finding of the answer: rank, severity, the actor and one line of why, with evidence ids. */
export interface AnswerLine extends ActorRef {
  rank: number;
  tier: number;
  severity: string;
  /** sev-<severity>: the class of its block. */
  sev_class: string;
  /** The evidence names this actor (false: only ever a candidate). */
  named: boolean;
  /** One line: what it did, the kinds of its signals, most severe first. */
  headline: string;
  /** The why in full, each a short phrase: identity, binding, then each kind of signal with examples. */
  why: string[];
  first_at: string;
  last_at: string;
  refs: string[];
  refs_more: number;
  /** It has a detailed section below. */
  detailed: boolean;
}

export interface Evidence {
  source: string;
  ids: string[];
  more: number;
  has_more: boolean;
}

export interface SignalLine {
  ts: string;
  signal: string;
  tier: number;
  detail: string;
  confidence: string;
  as_candidate: boolean;
  routine: boolean;
  ref_source: string;
  ref: string;
}

export interface CallLine {
  ts: string;
  action: string;
  target: string;
  outcome: string;
  confidence: string;
  /** The pod is one of several candidates of this call (ambiguous), not named by it. */
  as_candidate: boolean;
  candidates: number;
  rule: string;
  event_id: string;
  evidence: Evidence[];
}

export interface SessionBlock {
  access_key_id: string;
  principal_arn: string;
  session_name: string;
  role_arn: string;
  subject: string;
  issued_at: string;
  issuing_event_id: string;
  issuing_event_name: string;
  has_issuing_event: boolean;
  calls: CallLine[];
}

export interface HumanAction {
  ts: string;
  user: string;
  groups: string;
  action: string;
  command: string;
  container: string;
  source_ip: string;
  response_code: string;
  row_id: string;
  runtime_exec_ids: string[];
  runtime_exec_more: number;
  has_runtime_execs: boolean;
  first_runtime_exec_at: string;
  before_activity: boolean;
}

export interface KubeRequest {
  ts: string;
  request: string;
  source_ip: string;
  off_pod: boolean;
  confidence: string;
  row_id: string;
  token_issued_row_id: string;
}

export interface OutsideUse {
  ts: string;
  source_ip: string;
  action: string;
  target: string;
  credential: string;
  owned_by: string;
  /** The credential is the service account's, not this pod's alone (the pod is a candidate). */
  as_candidate: boolean;
  /** The owning pod no longer ran at the call (yes, no), or no one pod owns the credential (unknown). */
  pod_gone: 'yes' | 'no' | 'unknown';
  event_id: string;
}

/** One row of the text timeline: an event, a collapsed run of repeated activity, or a gap. */
export interface TimelineLine {
  /** Shown when the day changes (and on the first row). */
  day: string;
  new_day: boolean;
  time: string;
  source: string;
  what: string;
  /** Repeated activity collapsed into this row. */
  count: number;
  collapsed: boolean;
  until: string;
  ids: string[];
  ids_more: number;
  gap: boolean;
}

export interface PodIdentity {
  pod_uid: string;
  namespace: string;
  name: string;
  node: string;
  service_account: string;
  owner: string;
  image_digests: string[];
  container_ids: string[];
  lifecycle_ids: string[];
  valid_from: string;
  valid_to: string;
  binding_path: string;
  /** Every path its proven or strong calls took, most used first. */
  paths: string[];
  role_arn: string;
  binding_ids: string[];
  binding_cloud_ids: string[];
}

/** A detailed section: the actor, its signals, and what the evidence shows around them. */
export interface ActorFinding extends ActorRef {
  rank: number;
  severity: string;
  named: boolean;
  signals: SignalLine[];
  signals_omitted: number;
  span_from: string;
  span_to: string;
  pod: PodIdentity | null;
  human_actions: HumanAction[];
  has_human_actions: boolean;
  sessions: SessionBlock[];
  has_sessions: boolean;
  calls_in_span: number;
  calls_total: number;
  kube_requests: KubeRequest[];
  has_kube_requests: boolean;
  outside_uses: OutsideUse[];
  has_outside_uses: boolean;
  /** Calls this actor made (outside and node actors). */
  calls: CallLine[];
  has_calls: boolean;
  weakening_gaps: string[];
  timeline: TimelineLine[];
  has_timeline: boolean;
  timeline_omitted: number;
}

export interface RoutineLine extends ActorRef {
  workload: string;
  signals: number;
  kinds: string[];
  first_at: string;
  last_at: string;
}

/** The SVG swimlane timeline: numbers in viewBox units, times as ISO for the reader and the tests. */
export interface SvgTimeline {
  present: boolean;
  width: number;
  height: number;
  plot_x0: number;
  plot_x1: number;
  axis_from: string;
  axis_to: string;
  ticks: { x: number; label: string }[];
  lanes: SvgLane[];
  /** One lane per evidence stream with declared time gaps, below the actors. */
  gap_lanes: { y: number; height: number; mid: number; label: string; title: string }[];
  /** One rectangle per declared gap overlapping the axis, in its stream's lane, at its real times. */
  gaps: SvgGap[];
  /** Faint shading of a gap over the actor lanes it affects (its node's lanes, or all for a stream-wide gap). */
  shades: { x: number; y: number; width: number; height: number }[];
  lanes_omitted: number;
}

export interface SvgLane {
  y: number;
  height: number;
  mid: number;
  kind: string;
  label: string;
  /** Baseline of the label (raised when an offset note sits under it). */
  label_y: number;
  title: string;
  /** The class of the lane band: pod, node, human or outside. */
  lane_class: string;
  offset_note: string;
  has_offset: boolean;
  marks: SvgMark[];
  marks_omitted: number;
}

export interface SvgMark {
  /** Centre of the mark; left and top of a signal's bar. */
  x: number;
  y: number;
  left: number;
  top: number;
  /** mark-proven, mark-strong, mark-ambiguous, mark-unattributed, or a signal shape class. */
  mark_class: string;
  is_call: boolean;
  title: string;
}

export interface SvgGap {
  x: number;
  y: number;
  width: number;
  height: number;
  title: string;
  from: string;
  to: string;
  finding_id: string;
}

/** pod -> node -> principal/session -> actions, for one pod finding. */
export interface AttackPath {
  rank: number;
  label: string;
  height: number;
  boxes: SvgBox[];
  links: { x1: number; y1: number; x2: number; y2: number }[];
  text: string[];
}

export interface SvgBox {
  x: number;
  y: number;
  width: number;
  height: number;
  /** Lines of text, each with its position. */
  lines: { x: number; y: number; text: string }[];
  title: string;
  box_class: string;
}
