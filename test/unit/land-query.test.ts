/** The statement of a land SQL file with steps: each step after the steps it reads, with its materialization hint. */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { landQuery } from '../../src/store/land.js';
import { tempDir } from '../helpers/case.js';

const t = tempDir('podtrail-land-query-');
afterAll(() => t.cleanup());

/** Writes `<name>.sql` and its steps folder; returns the file's path. */
function writeLandFile(name: string, own: string, steps: Record<string, string>): string {
  mkdirSync(path.join(t.dir, name), { recursive: true });
  for (const [step, text] of Object.entries(steps)) writeFileSync(path.join(t.dir, name, `${step}.sql`), text);
  writeFileSync(path.join(t.dir, `${name}.sql`), own);
  return path.join(t.dir, `${name}.sql`);
}

/** The steps of a statement in order, each with its hint. */
const ctes = (sql: string): string[] => [...sql.matchAll(/^"(\w+)" as ((?:not )?materialized )?\($/gm)].map((m) => `${m[1]}${m[2] ? ` ${m[2].trim()}` : ''}`);

describe('landQuery', () => {
  it('puts each step after the steps it reads, whatever the apostrophes in its comments', () => {
    const file = writeLandFile('quotes', 'select * from b_step', {
      // lexical order would put a_step first: it reads z_step, named after an apostrophe in a comment
      a_step: "-- the element's own type, then the keys it has\nselect 'a' as k, * from z_step where 'b' = 'b'\n",
      b_step: "select '-- not a comment: z_step' as t, * from a_step\n",
      z_step: 'select 1 as x\n',
    });
    expect(ctes(landQuery(file))).toEqual(['z_step', 'a_step', 'b_step']);
  });

  it('does not take a name inside a string for a reference', () => {
    const file = writeLandFile('strings', 'select * from a_step', {
      a_step: "select 'b_step' as name\n",
      b_step: "select 'it''s' as t, * from a_step\n",
    });
    expect(ctes(landQuery(file))).toEqual(['a_step', 'b_step']);
  });

  it('marks a step materialized or not materialized as its comment says', () => {
    const file = writeLandFile('hints', 'select * from b_step union all select * from c_step', {
      a_step: '-- not materialized: each reader filters it at the scan\nselect 1 as x\n',
      b_step: '-- materialized: read by every column\nselect * from a_step\n',
      c_step: 'select * from a_step\n',
    });
    expect(ctes(landQuery(file))).toEqual(['a_step not materialized', 'b_step materialized', 'c_step']);
  });
});
