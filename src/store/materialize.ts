import { quotedIdentifier } from '@duckdb/node-api';
import type { Store } from './store.js';
import { count, type Progress } from '../core/progress.js';

export interface Fingerprint {
  catalog_sha256: string;
  config_sha256: string;
  tool_version: string;
}

/**
 * Materializes each table from its view mart_<name>, in the order given (later views read the
 * tables materialized before them), then records what they were computed from in correlation_runs.
 */
export async function materializeTables(
  store: Store,
  steps: { kind: 'temp' | 'table' | 'drop'; name: string }[],
  fingerprint: Fingerprint,
  progress: Progress,
): Promise<{ rows: Record<string, number>; timings: Record<string, number> }> {
  const rows: Record<string, number> = {};
  const timings: Record<string, number> = {};
  const names: string[] = [];
  const tables = steps.filter((s) => s.kind === 'table').length;
  let made = 0;
  for (const step of steps) {
    const t0 = performance.now();
    const name = quotedIdentifier(step.name);
    if (step.kind === 'drop') {
      await store.run(`drop table if exists temp.${name}`);
      continue;
    }
    if (step.kind === 'table') progress.begin(`correlating ${step.name} (${made + 1} of ${tables})`);
    else progress.tick(made, step.name);
    if (step.kind === 'temp') {
      await store.run(`create or replace temp table ${name} as select * from main.${name}`);
    } else {
      await store.run(`create or replace table main.${name} as select * from ${quotedIdentifier(`mart_${step.name}`)}`);
      names.push(step.name);
    }
    // BIGINT: its exact text
    const n = await store.rows<{ n: string }>(`select count(*)::BIGINT as n from ${name}`);
    rows[step.name] = Number(n[0]?.n ?? 0);
    timings[step.name] = performance.now() - t0;
    // one line per model (a public table); intermediate steps only move the live line
    if (step.kind === 'table') {
      made++;
      progress.end(`${step.name}: ${count(rows[step.name]!, 'row')} in ${(timings[step.name]! / 1000).toFixed(2)} s`);
    }
  }
  await store.run(
    `create or replace table correlation_runs (table_name VARCHAR, "rows" BIGINT, catalog_sha256 VARCHAR, config_sha256 VARCHAR, tool_version VARCHAR)`,
  );
  for (const name of [...names].sort()) {
    await store.run(`insert into correlation_runs values ($table_name, $rows, $catalog_sha256, $config_sha256, $tool_version)`, {
      table_name: name,
      rows: rows[name] ?? 0,
      ...fingerprint,
    });
  }
  return { rows, timings };
}

/**
 * Computes each view once into a temp table of the same name, in the order given: on this
 * connection, until it closes, the temp table shadows the view, so later views and queries read it
 * instead of recomputing it (a read-only store accepts temp tables).
 */
export async function shadowViews(store: Store, names: readonly string[]): Promise<void> {
  for (const name of names) {
    const id = quotedIdentifier(name);
    await store.run(`create or replace temp table ${id} as select * from main.${id}`);
  }
}

/**
 * Like shadowViews for one view, keeping only the rows whose `column` is one of `values`: one scan
 * of the view for all of them, after which per-value queries on this connection read the small
 * temp table. The shadow holds only those rows: use it only for queries about those values.
 */
export async function shadowViewFor(store: Store, name: string, column: string, values: readonly string[]): Promise<void> {
  const id = quotedIdentifier(name);
  await store.run(`create or replace temp table ${id} as select * from main.${id} where list_contains($values, ${quotedIdentifier(column)})`, { values: [...values] });
}
