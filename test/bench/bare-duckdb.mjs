// Baseline: DuckDB alone reading the file with explicit columns (the same spec podtrail reads) and
// writing the same flattened fields to zstd Parquet. No hashing, no copy, no normalization.
import { DuckDBInstance } from '@duckdb/node-api';
import { TETRAGON_COLUMNS } from '../../dist/collectors/tetragon/read-spec.js';

const [file, out] = process.argv.slice(2);
const q = (s) => `'${s.replace(/'/g, "''")}'`;
const cols = '{' + Object.entries(TETRAGON_COLUMNS).map(([k, v]) => `${q(k)}: ${q(v.replace(/\s+/g, ' '))}`).join(', ') + '}';
const inst = await DuckDBInstance.create(':memory:', { threads: '2' });
const c = await inst.connect();
await c.run(`copy (
  select
    p.exec_id, p.parent_exec_id, p.pid, p.uid, p."binary", p.arguments, p.pod.namespace, p.pod.name, p.pod.uid,
    p.pod.container.id, p.pod.container.name, p.pod.container.image.id, p.pod.container.image.name,
    process_kprobe.function_name, process_kprobe.args[1].sock_arg.saddr, process_kprobe.args[1].sock_arg.daddr,
    process_kprobe.args[1].sock_arg.sport, process_kprobe.args[1].sock_arg.dport, process_kprobe.args[1].sock_arg.protocol,
    node_name, time::TIMESTAMP_NS as ts, time
  from (select coalesce(process_exec.process, process_exit.process, process_kprobe.process) as p, *
        from read_json(${q(file)}, format = 'newline_delimited', columns = ${cols}))
) to ${q(out)} (format parquet, compression zstd)`);
