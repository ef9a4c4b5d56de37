import { UsageError } from './errors.js';

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "90s", "15m", "2h", "1h30m", "500ms", "+40s", "-2.5s" into seconds. */
export function parseDurationSeconds(text: string | number, what: string): number {
  if (typeof text === 'number') return text;
  const trimmed = text.trim();
  const m = /^([+-])?((?:\d+(?:\.\d+)?(?:ms|s|m|h|d))+)$/.exec(trimmed);
  if (!m) throw new UsageError(`${what}: "${text}" is not a duration (examples: 30s, 15m, 2h, 1h30m)`);
  const sign = m[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of (m[2] ?? '').matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d)/g)) {
    total += Number(part[1]) * (UNIT_SECONDS[part[2] ?? 's'] ?? 1);
  }
  return sign * total;
}

/** Renders seconds back in the shortest exact form used in case.yaml ("2h", "90s", "1h30m"). */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const sign = seconds < 0 ? '-' : '';
  let rest = Math.abs(seconds);
  if (!Number.isInteger(rest)) return `${sign}${rest}s`;
  const parts: string[] = [];
  for (const [unit, size] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (rest >= size) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  return sign + parts.join('');
}
