/**
 * Top-level columns read from each Tetragon event (read_json `columns`, from_json structure).
 * Leaves are VARCHAR where the source's type varies across versions; the land SQL casts them.
 */
const pod = `STRUCT(namespace VARCHAR, name VARCHAR, uid VARCHAR, workload VARCHAR, workload_kind VARCHAR,
  container STRUCT(id VARCHAR, name VARCHAR, image STRUCT(id VARCHAR, name VARCHAR), start_time VARCHAR, pid VARCHAR))`;
const proc = `STRUCT(exec_id VARCHAR, parent_exec_id VARCHAR, pid VARCHAR, uid VARCHAR, cwd VARCHAR, "binary" VARCHAR,
  arguments VARCHAR, flags VARCHAR, start_time VARCHAR, docker VARCHAR, pod ${pod})`;
const sock = `STRUCT(family VARCHAR, type VARCHAR, protocol VARCHAR, saddr VARCHAR, daddr VARCHAR, sport VARCHAR,
  dport VARCHAR, cookie VARCHAR, state VARCHAR)`;
// `parent` is not read: its exec_id is in process.parent_exec_id, and parsing a second full
// process struct per event would double the reader's work for nothing.
const withProcess = `STRUCT(process ${proc})`;

export const TETRAGON_COLUMNS: Record<string, string> = {
  process_exec: withProcess,
  process_exit: `STRUCT(process ${proc}, signal VARCHAR, status VARCHAR, time VARCHAR)`,
  process_kprobe: `STRUCT(process ${proc}, function_name VARCHAR, policy_name VARCHAR, action VARCHAR,
    args STRUCT(sock_arg ${sock}, label VARCHAR)[])`,
  process_tracepoint: `STRUCT(process ${proc}, subsys VARCHAR, event VARCHAR, policy_name VARCHAR)`,
  process_uprobe: `STRUCT(process ${proc}, path VARCHAR, symbol VARCHAR, policy_name VARCHAR)`,
  process_lsm: `STRUCT(process ${proc}, function_name VARCHAR, policy_name VARCHAR)`,
  process_loader: `STRUCT(process ${proc}, path VARCHAR)`,
  process_usdt: `STRUCT(process ${proc}, provider VARCHAR, name VARCHAR)`,
  process_throttle: 'STRUCT(type VARCHAR, cgroup VARCHAR)',
  rate_limit_info: 'STRUCT(number_of_dropped_process_events VARCHAR)',
  process_connect: 'JSON',
  process_close: 'JSON',
  process_listen: 'JSON',
  node_name: 'VARCHAR',
  time: 'VARCHAR',
};
