import { existsSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { UsageError } from '../core/errors.js';
import { openCaseStore } from '../store/case-store.js';
import { checkParamValues, runAnalystQuery, type QueryResult, type SqlOrigin } from '../store/analyst-query.js';
import { writeAnalystQueryParquet } from '../store/result-parquet.js';
import type { Store } from '../store/store.js';
import { formatRows, type OutputFormat } from '../output/format-rows.js';
import { findHunt, huntParamValues } from './hunts.js';

export type Format = OutputFormat | 'parquet';
export const FORMATS: Format[] = ['table', 'json', 'ndjson', 'csv', 'parquet'];

/** What to run: ad-hoc SQL with its params, or a hunt by name with its --param values. */
export type Request = { sql: string; params: Record<string, string | null>; label?: string; ignoreUnusedParams?: boolean } | { hunt: string; params: Record<string, string> };

export interface Delivery {
  format: Format;
  /** Write here instead of returning text (required for parquet). */
  out?: string;
  limit?: number;
  /** Terminal width for the table format. */
  width?: number;
}

/** What a delivery produced: text for stdout, or a note for stderr when a file was written. */
export interface Delivered {
  text: string;
  note: string | null;
  rows: number;
}

/**
 * A case opened read-only for analyst SQL: `podtrail query` and `hunt` open one per command, the
 * shell one per session. Every statement goes through the same read-only single-SELECT check.
 */
export class CaseSession {
  private constructor(private readonly store: Store) {}

  static async open(caseDir: string): Promise<CaseSession> {
    const p = casePaths(caseDir);
    loadCaseConfig(p.config);
    return new CaseSession(await openCaseStore(p, { write: false }));
  }

  /** Ad-hoc SQL or a hunt, resolved to the SQL, bound values and a label for messages. */
  async resolve(r: Request): Promise<{ sql: string; params: Record<string, string | null>; origin: SqlOrigin }> {
    if ('sql' in r) return { sql: r.sql, params: r.params, origin: { label: r.label, ignoreUnusedParams: r.ignoreUnusedParams } };
    const hunt = findHunt(r.hunt);
    const params = huntParamValues(hunt, r.params);
    await checkParamValues(this.store, hunt.params.map((p) => ({ name: p.name, type: p.type, value: params[p.name] ?? null })));
    return { sql: hunt.sql, params, origin: { label: `hunt ${hunt.name} (${path.basename(hunt.file)})` } };
  }

  async rows(r: Request, limit?: number): Promise<QueryResult> {
    const q = await this.resolve(r);
    return runAnalystQuery(this.store, q.sql, q.params, limit, q.origin);
  }

  /** Runs the request and formats it, or writes it to d.out (Parquet written by podtrail, see store/result-parquet). */
  async deliver(r: Request, d: Delivery): Promise<Delivered> {
    if (d.format === 'parquet' && d.out === undefined) throw new UsageError('--format parquet needs --out FILE');
    if (d.out !== undefined) checkOutFile(d.out);
    if (d.format === 'parquet') {
      const q = await this.resolve(r);
      const w = await writeAnalystQueryParquet(this.store, q.sql, q.params, d.out!, d.limit, q.origin);
      return { text: '', note: `wrote ${w.rows} row${w.rows === 1 ? '' : 's'} (${w.columns.length} columns) to ${d.out}`, rows: w.rows };
    }
    const result = await this.rows(r, d.limit);
    const text = formatRows(result, d.format, d.width);
    if (d.out === undefined) return { text, note: null, rows: result.rows.length };
    writeFileSync(d.out, text);
    return { text: '', note: `wrote ${result.rows.length} row${result.rows.length === 1 ? '' : 's'} to ${d.out}`, rows: result.rows.length };
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
    this.store.close();
  }
}

function checkOutFile(out: string): void {
  const dir = path.dirname(path.resolve(out));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`--out ${out}: folder ${dir} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new UsageError(`--out ${out} is a folder`);
}

/** Opens a case, runs one request, closes it. */
export async function runOnCase(caseDir: string, r: Request, d: Delivery): Promise<Delivered> {
  const s = await CaseSession.open(caseDir);
  try {
    return await s.deliver(r, d);
  } finally {
    s.close();
  }
}
