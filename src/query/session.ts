import { closeSync, existsSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { casePaths, type CasePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { InterruptedError, QueryError, UsageError } from '../core/errors.js';
import { formatDuration } from '../core/duration.js';
import { openAnalystStore, type AnalystStore } from '../store/analyst-store.js';
import { checkParamValues, runAnalystQuery, streamAnalystQuery, type AnalystStream, type QueryResult, type SqlOrigin } from '../store/analyst-query.js';
import { writeAnalystQueryParquet } from '../store/result-parquet.js';
import { writeRows, type OutputFormat, type TextSink } from '../output/format-rows.js';
import { findHunt, huntParamValues } from './hunts.js';
import { correlationNote } from './correlation-note.js';

export type Format = OutputFormat | 'parquet';
export const FORMATS: Format[] = ['table', 'line', 'json', 'ndjson', 'csv', 'parquet'];

/** Default --timeout of query and hunt: 30 minutes, long enough to stream 30M rows to a file on a busy 2-core machine (docs/query-benchmark.md), short of a forgotten cross join. */
export const DEFAULT_TIMEOUT_SECONDS = 1800;

/** What to run: ad-hoc SQL with its params, or a hunt by name with its --param values. */
export type Request = { sql: string; params: Record<string, string | null>; label?: string; ignoreUnusedParams?: boolean } | { hunt: string; params: Record<string, string> };

/** How long a statement may run and who may stop it: on either, DuckDB's interrupt stops it. */
export interface Bounds {
  /** Seconds from the start of the statement to its last row written; 0 or undefined: no limit. */
  timeoutSeconds?: number;
  /** Aborted by Ctrl-C (podtrail query, the shell). */
  signal?: AbortSignal;
}

export interface Delivery extends Bounds {
  format: Format;
  /** Write here instead of the sink (required for parquet). */
  out?: string;
  limit?: number;
  /** Terminal width for the table format. */
  width?: number;
}

/** What a delivery produced: a note for stderr when a file was written, and the row count. */
export interface Delivered {
  note: string | null;
  rows: number;
}

/** A text file written under a temp name and renamed when complete; removed on failure. */
class FileSink implements TextSink {
  private readonly partial: string;
  private readonly fd: number;
  constructor(private readonly target: string) {
    this.partial = `${path.resolve(target)}.partial-${process.pid}`;
    this.fd = openSync(this.partial, 'w');
  }
  write(text: string): void {
    writeSync(this.fd, text);
  }
  commit(): void {
    closeSync(this.fd);
    renameSync(this.partial, this.target);
  }
  abandon(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    rmSync(this.partial, { force: true });
  }
}

/**
 * A case opened read-only for analyst SQL: `podtrail query` and `hunt` open one per command, the
 * shell one per session. Every statement goes through the same read-only single-SELECT check,
 * reads only the lake, spills only into its own folder of CASE/.tmp/query, and stops on its
 * timeout or on Ctrl-C.
 */
export class CaseSession {
  private constructor(
    private readonly a: AnalystStore,
    readonly paths: CasePaths,
    readonly caseDir: string,
  ) {}

  static async open(caseDir: string): Promise<CaseSession> {
    const p = casePaths(caseDir);
    loadCaseConfig(p.config);
    return new CaseSession(await openAnalystStore(p), p, caseDir);
  }

  /** A line for stderr when the correlation tables are older than the evidence, else null. */
  correlationNote(): Promise<string | null> {
    return correlationNote(this.a.store, this.paths, this.caseDir);
  }

  /** Ad-hoc SQL or a hunt, resolved to the SQL, bound values and a label for messages. */
  async resolve(r: Request): Promise<{ sql: string; params: Record<string, string | null>; origin: SqlOrigin }> {
    if ('sql' in r) return { sql: r.sql, params: r.params, origin: { label: r.label, ignoreUnusedParams: r.ignoreUnusedParams } };
    const hunt = findHunt(r.hunt);
    const params = huntParamValues(hunt, r.params);
    await checkParamValues(this.a.store, hunt.params.map((p) => ({ name: p.name, type: p.type, value: params[p.name] ?? null })));
    return { sql: hunt.sql, params, origin: { label: `hunt ${hunt.name} (${path.basename(hunt.file)})` } };
  }

  /** A whole (small) result in memory: dot-commands and tests. */
  async rows(r: Request, limit?: number): Promise<QueryResult> {
    const q = await this.resolve(r);
    return runAnalystQuery(this.a.store, q.sql, q.params, limit, q.origin);
  }

  /** Starts a request as a stream of row batches (see streamAnalystQuery). */
  async stream(r: Request, limit?: number): Promise<AnalystStream> {
    const q = await this.resolve(r);
    return streamAnalystQuery(this.a.store, q.sql, q.params, limit, q.origin);
  }

  /**
   * Runs `work` under the bounds: when the timeout passes or the signal aborts, DuckDB's interrupt
   * stops the statement, and the error says which of the two stopped it.
   */
  async bounded<T>(b: Bounds, work: () => Promise<T>): Promise<T> {
    let timedOut = false;
    const stop = (): void => this.a.interrupt();
    const timer = b.timeoutSeconds ? setTimeout(() => ((timedOut = true), stop()), b.timeoutSeconds * 1000) : null;
    b.signal?.addEventListener('abort', stop);
    try {
      if (b.signal?.aborted) throw new InterruptedError();
      return await work();
    } catch (e) {
      if (b.signal?.aborted) throw new InterruptedError('interrupted: the statement was cancelled');
      if (timedOut) throw new QueryError(`stopped after ${formatDuration(b.timeoutSeconds!)}: the statement ran longer than --timeout (give a longer one, or 0 for none)`);
      throw e;
    } finally {
      if (timer) clearTimeout(timer);
      b.signal?.removeEventListener('abort', stop);
    }
  }

  /**
   * Runs the request and streams its rows to the sink in the format asked, or to d.out (a text
   * file written under a temp name then renamed; Parquet written by podtrail, see
   * store/result-parquet).
   */
  async deliver(r: Request, d: Delivery, sink: TextSink): Promise<Delivered> {
    if (d.format === 'parquet' && d.out === undefined) throw new UsageError('--format parquet needs --out FILE');
    if (d.out !== undefined) checkOutFile(d.out);
    const q = await this.resolve(r);
    if (d.format === 'parquet') {
      const w = await this.bounded(d, () => writeAnalystQueryParquet(this.a.store, q.sql, q.params, d.out!, d.limit, q.origin, this.a.tempDir));
      return { note: `wrote ${w.rows} row${w.rows === 1 ? '' : 's'} (${w.columns.length} columns) to ${d.out}`, rows: w.rows };
    }
    const format = d.format;
    const file = d.out === undefined ? null : new FileSink(d.out);
    try {
      const rows = await this.bounded(d, async () => writeRows(await streamAnalystQuery(this.a.store, q.sql, q.params, d.limit, q.origin), format, file ?? sink, d.width));
      file?.commit();
      return { note: file ? `wrote ${rows} row${rows === 1 ? '' : 's'} to ${d.out}` : null, rows };
    } catch (e) {
      file?.abandon();
      throw e;
    }
  }

  /** Names of the tables and views in the case database, by schema object type. */
  async objects(): Promise<{ name: string; type: string }[]> {
    const r = await this.rows({
      sql: `select table_name as name, case table_type when 'VIEW' then 'view' else 'table' end as type
              from information_schema.tables where table_schema = 'main' and table_name <> 'podtrail_views'
             order by table_name`,
      params: {},
    });
    return r.rows.map((row) => ({ name: String(row[0]), type: String(row[1]) }));
  }

  close(): void {
    this.a.close();
  }
}

function checkOutFile(out: string): void {
  const dir = path.dirname(path.resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: folder ${dir} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a folder`);
}

/**
 * Opens a case, runs one request to the sink (or d.out), closes it: the spill folder goes with it.
 * A note about stale correlation goes to `note` first.
 */
export async function runOnCase(caseDir: string, r: Request, d: Delivery, sink: TextSink, note: (line: string) => void = () => {}): Promise<Delivered> {
  const s = await CaseSession.open(caseDir);
  try {
    const stale = await s.correlationNote();
    if (stale) note(stale);
    return await s.deliver(r, d, sink);
  } finally {
    s.close();
  }
}
