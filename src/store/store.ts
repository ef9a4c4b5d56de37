import { readFileSync } from 'node:fs';
import {
  LIST,
  VARCHAR,
  type DuckDBConnection,
  type DuckDBInstance,
  type DuckDBPreparedStatement,
} from '@duckdb/node-api';
import { InternalError, SqlFileError } from '../core/errors.js';

/** A value bound to a named parameter ($name) of a statement. */
export type ParamValue = string | number | bigint | boolean | null | readonly string[];
export type Params = Readonly<Record<string, ParamValue>>;
/**
 * A row as DuckDB's lossless JSON conversion gives it: VARCHAR, JSON, TIMESTAMP, BIGINT, HUGEINT and
 * DECIMAL as strings (big integers exactly), INTEGER and DOUBLE as numbers, BOOLEAN as booleans,
 * lists as arrays and structs as objects; NULL as null. A query's caller declares the row type it
 * reads (rows<T>): the columns its SELECT names, each in that form.
 */
export type Row = Record<string, unknown>;

/** One open DuckDB database with one connection. Only src/store/ touches DuckDB. */
export class Store {
  constructor(
    private readonly instance: DuckDBInstance,
    readonly conn: DuckDBConnection,
  ) {}

  /** Runs one statement with named parameters; only the parameters it declares are bound. */
  async run(sql: string, params: Params = {}): Promise<void> {
    const stmt = await this.prepare(sql, params);
    try {
      await stmt.run();
    } finally {
      // a prepared statement keeps its plan, and with it the data of materialized CTEs, until it
      // is destroyed: leaving that to the garbage collector held gigabytes during correlation
      stmt.destroySync();
    }
  }

  /**
   * Runs one statement and returns its rows (lossless JSON values, columns in select order), as the
   * row type T the caller declares for its SELECT (not checked: see typed-rows.ts for a checked read).
   */
  async rows<T extends object = Row>(sql: string, params: Params = {}): Promise<T[]> {
    const stmt = await this.prepare(sql, params);
    try {
      const reader = await stmt.runAndReadAll();
      return reader.getRowObjectsJson() as unknown as T[];
    } finally {
      stmt.destroySync();
    }
  }

  /**
   * Runs one statement and yields its rows chunk by chunk (lossless JSON values, as rows()), so a
   * caller can write millions of rows with bounded memory. DuckDB produces each chunk on demand.
   */
  async *streamRows<T extends object = Row>(sql: string, params: Params = {}): AsyncGenerator<T[]> {
    const stmt = await this.prepare(sql, params);
    try {
      const result = await stmt.stream();
      for await (const rows of result.yieldRowObjectJson()) yield rows as unknown as T[];
    } finally {
      stmt.destroySync();
    }
  }

  async prepare(sql: string, params: Params): Promise<DuckDBPreparedStatement> {
    const stmt = await this.conn.prepare(sql);
    bindParams(stmt, params);
    return stmt;
  }

  /** Applies a .sql file statement by statement; a failure names the file and the statement. */
  async applySqlFile(file: string, label = file): Promise<void> {
    await this.applySqlText(readFileSync(file, 'utf8'), label);
  }

  async applySqlText(text: string, label: string, params: Params = {}): Promise<void> {
    let extracted;
    try {
      extracted = await this.conn.extractStatements(text);
    } catch (e) {
      throw new SqlFileError(label, 0, (e as Error).message);
    }
    for (let i = 0; i < extracted.count; i++) {
      try {
        const stmt = await extracted.prepare(i);
        try {
          bindParams(stmt, params);
          await stmt.run();
        } finally {
          stmt.destroySync();
        }
      } catch (e) {
        throw new SqlFileError(label, i, (e as Error).message);
      }
    }
  }

  private closers: (() => void)[] = [];

  /** Runs `f` once the database is closed (a reader's own temporary database file is removed). */
  onClose(f: () => void): void {
    this.closers.push(f);
  }

  close(): void {
    this.conn.closeSync();
    this.instance.closeSync();
    for (const f of this.closers.splice(0)) f();
  }
}

export function bindParams(stmt: DuckDBPreparedStatement, params: Params): void {
  for (let i = 1; i <= stmt.parameterCount; i++) {
    const name = stmt.parameterName(i);
    if (!(name in params)) throw new InternalError(`statement parameter $${name} was not given a value`);
    const v = params[name];
    if (v === null || v === undefined) stmt.bindNull(i);
    else if (typeof v === 'string') stmt.bindVarchar(i, v);
    else if (typeof v === 'boolean') stmt.bindBoolean(i, v);
    else if (typeof v === 'bigint') stmt.bindBigInt(i, v);
    else if (typeof v === 'number') {
      if (Number.isInteger(v)) stmt.bindBigInt(i, BigInt(v));
      else stmt.bindDouble(i, v);
    } else stmt.bindList(i, [...v], LIST(VARCHAR));
  }
}
