import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { SqlFileError } from '../core/errors.js';
import { PARAM_TYPES } from '../store/analyst-query.js';

/** One declared parameter of a hunt: `$name type` or `$name type = default`. */
export interface HuntParam {
  name: string;
  /** Header type word: varchar, integer, bigint, double, boolean, timestamp, timestamptz, interval. */
  type: string;
  /** Text bound when the parameter is not given; null binds SQL NULL; undefined: required. */
  default?: string | null;
}

/** A hunt: one queries/<name>.sql file, its header and its single SELECT. */
export interface Hunt {
  name: string;
  description: string;
  params: HuntParam[];
  /** The whole file text (header comments included): what runs. */
  sql: string;
  file: string;
}

const NAME = /^[a-z][a-z0-9-]*$/;
const PARAM = /^\$([A-Za-z_][A-Za-z0-9_]*)\s+([a-z]+)(?:\s*=\s*(null|'(?:[^']|'')*'|[-+0-9.]+|true|false))?$/;

/**
 * Parses a hunt's header: leading `-- key: value` comment lines with keys name, description and
 * params (`-- params: $since timestamp, $pod_uid varchar, $seconds integer = 120`; `none` or no
 * line for none). Other leading comment lines are notes. The name must equal the file name.
 */
export function parseHunt(file: string, text: string): Hunt {
  const header: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (!line.startsWith('--')) break;
    const m = /^--\s*(name|description|params):\s*(.*)$/.exec(line);
    if (m) {
      if (m[1]! in header) throw new SqlFileError(file, 0, `header "${m[1]}" given twice`);
      header[m[1]!] = m[2]!.trim();
    }
  }
  const name = header['name'];
  if (!name) throw new SqlFileError(file, 0, 'missing header line "-- name: <name>"');
  if (!NAME.test(name)) throw new SqlFileError(file, 0, `hunt name "${name}" must be lower-case kebab-case`);
  if (name !== path.basename(file, '.sql')) throw new SqlFileError(file, 0, `hunt name "${name}" differs from the file name`);
  const description = header['description'];
  if (!description) throw new SqlFileError(file, 0, 'missing header line "-- description: ..."');
  return { name, description, params: parseParams(file, header['params'] ?? 'none'), sql: text, file };
}

function parseParams(file: string, spec: string): HuntParam[] {
  if (spec === '' || spec === 'none') return [];
  const out: HuntParam[] = [];
  for (const part of spec.split(/,(?=\s*\$)/)) {
    const m = PARAM.exec(part.trim());
    if (!m) throw new SqlFileError(file, 0, `params: cannot read "${part.trim()}" (expected "$name type" or "$name type = default")`);
    const [, pname, type, def] = m;
    if (!(type! in PARAM_TYPES)) throw new SqlFileError(file, 0, `params: $${pname} has unknown type "${type}" (known: ${Object.keys(PARAM_TYPES).join(', ')})`);
    if (out.some((p) => p.name === pname)) throw new SqlFileError(file, 0, `params: $${pname} declared twice`);
    const param: HuntParam = { name: pname!, type: type! };
    if (def !== undefined) param.default = def === 'null' ? null : def.startsWith("'") ? def.slice(1, -1).replace(/''/g, "'") : def;
    out.push(param);
  }
  return out;
}

/** Every hunt in a folder, sorted by name. */
export function loadHunts(dir: string): Hunt[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((f) => parseHunt(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')));
}

/** "$pod_uid varchar, $seconds integer = 120": the params as the header writes them. */
export function describeParams(params: readonly HuntParam[]): string {
  if (params.length === 0) return '(no params)';
  return params
    .map((p) => `$${p.name} ${p.type}${p.default === undefined ? '' : ` = ${p.default === null ? 'null' : /^[-+0-9.]+$|^(true|false)$/.test(p.default) ? p.default : `'${p.default}'`}`}`)
    .join(', ');
}
