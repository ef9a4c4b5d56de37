import type { TableDoc } from '../../src/lake/schema.js';

/**
 * Every documented table's key (src/lake: the lake, correlation and case tables, as `podtrail schema`
 * prints them) is unique and never NULL: one check per declared key, generated from the schema
 * rather than copied into a file per table. A key column its documentation says may be NULL (the
 * egress map's node_name or subnet_cidr: one of them names what sits behind the address) is held
 * unique with NULL as a value. Failing rows: each key value with a NULL part or that occurs more
 * than once.
 */
export function keySql(t: TableDoc): string {
  const cols = t.key.join(', ');
  const nullable = new Set(t.columns.filter((c) => /\bNULL\b/.test(c.doc)).map((c) => c.name));
  const notNull = t.key.filter((k) => !nullable.has(k));
  const shown = t.key.map((k) => `coalesce(${k}::VARCHAR, 'NULL')`).join(" || ', ' || ");
  return `with keys as (select ${cols} from ${t.name})
    select ${shown} as key, 'NULL in the key' as problem, count(*) as occurrences from keys
    where ${notNull.length ? notNull.map((k) => `${k} is null`).join(' or ') : 'false'} group by ${cols}
    union all
    select ${shown} as key, 'key not unique' as problem, count(*) as occurrences from keys
    group by ${cols} having count(*) > 1
    order by key, problem`;
}
