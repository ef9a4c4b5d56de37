import { UsageError } from '../core/errors.js';

/** --param NAME=VALUE (repeatable) into named parameters; values are text, the SQL casts them. */
export function parseParams(items: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param "${item}": expected NAME=VALUE`);
    const name = item.slice(0, eq).replace(/^\$/, '');
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new UsageError(`--param "${item}": "${name}" is not a parameter name`);
    if (name in out) throw new UsageError(`--param ${name} given twice`);
    out[name] = item.slice(eq + 1);
  }
  return out;
}
