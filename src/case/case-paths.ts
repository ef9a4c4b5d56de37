import path from 'node:path';

/** The layout of a case folder (README and docs/case-folder.md). All paths are absolute. */
export interface CasePaths {
  root: string;
  config: string;
  raw: string;
  lake: string;
  staging: string;
  database: string;
  custody: string;
  validation: string;
  tmp: string;
  lock: string;
  /** The correlation and check tables as of their last commit, in Parquet, for readers beside a writer. */
  snapshot: string;
}

export function casePaths(caseDir: string): CasePaths {
  const root = path.resolve(caseDir);
  return {
    root,
    config: path.join(root, 'case.yaml'),
    raw: path.join(root, 'raw'),
    lake: path.join(root, 'lake'),
    staging: path.join(root, 'lake', '.staging'),
    database: path.join(root, 'case.duckdb'),
    custody: path.join(root, 'custody.jsonl'),
    validation: path.join(root, 'validation.json'),
    tmp: path.join(root, '.tmp'),
    lock: path.join(root, '.podtrail.lock'),
    snapshot: path.join(root, 'snapshot'),
  };
}
