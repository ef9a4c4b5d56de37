import { UsageError } from '../core/errors.js';

/** A row limit as typed (--limit N, .limit N): a non-negative safe integer, else a usage error naming the option. */
export function parseRowLimit(v: string, option: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || !Number.isSafeInteger(n)) throw new UsageError(`${option}: "${v}" is not a non-negative integer`);
  return n;
}
