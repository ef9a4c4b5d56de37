import type { Collector } from '../types.js';
import { TETRAGON_COLUMNS } from './read-spec.js';

const EVENT_KEYS = [
  'process_exec', 'process_exit', 'process_kprobe', 'process_tracepoint', 'process_uprobe',
  'process_lsm', 'process_loader', 'process_usdt', 'process_throttle', 'rate_limit_info',
  // legacy (pre-OSS Isovalent) shapes: recognised so they are rejected with a reason, not refused
  'process_connect', 'process_close', 'process_listen',
];

/** Cilium Tetragon JSON export (export-stdout, `tetra getevents -o json`). */
export const tetragon: Collector = {
  source: 'tetragon',
  describe: 'Tetragon JSON export (one event per line: process_exec, process_exit, process_kprobe, ...)',
  detect: (s) => EVENT_KEYS.some((k) => typeof s[k] === 'object' && s[k] !== null),
  input: { mode: 'columns', columns: TETRAGON_COLUMNS },
  targets: [{ table: 'runtime_events', sqlFile: 'tetragon.sql' }],
  rowPerRecord: true,
};
