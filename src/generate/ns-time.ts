/**
 * Instants as bigint nanoseconds since the Unix epoch (UTC), and the exact text forms each
 * emitted format uses. Only Date's UTC ISO rendering of whole milliseconds is borrowed;
 * no local time, no locale.
 */
export type Ns = bigint;

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_S = 1_000_000_000n;

export const ms = (n: number): Ns => BigInt(Math.round(n)) * NS_PER_MS;
export const sec = (n: number): Ns => BigInt(Math.round(n * 1000)) * NS_PER_MS;
export const minutes = (n: number): Ns => BigInt(Math.round(n * 60)) * NS_PER_S;
export const hours = (n: number): Ns => BigInt(Math.round(n * 3600)) * NS_PER_S;

/** Parses "2026-10-20T09:10:00Z" (whole seconds, UTC). */
export function nsFromIso(iso: string): Ns {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(iso)) throw new Error(`not a whole-second UTC instant: ${iso}`);
  return BigInt(Date.parse(iso)) * NS_PER_MS;
}

let cachedSecond = -1n;
let cachedText = '';

/** "YYYY-MM-DDTHH:MM:SS" of t (UTC); the last second rendered is remembered (a pure cache). */
function secondsPart(t: Ns): string {
  const s = (t - fraction(t)) / NS_PER_S;
  if (s === cachedSecond) return cachedText;
  cachedText = new Date(Number(s) * 1000).toISOString().slice(0, 19);
  cachedSecond = s;
  return cachedText;
}

function fraction(t: Ns): bigint {
  const f = t % NS_PER_S;
  return f < 0n ? f + NS_PER_S : f;
}

export function floorSecond(t: Ns): Ns {
  return t - fraction(t);
}

/** The first whole second strictly after t. */
export function nextSecond(t: Ns): Ns {
  return floorSecond(t) + NS_PER_S;
}

/** CloudTrail eventTime and Kubernetes metav1.Time: "2026-10-20T09:10:00Z". */
export function isoSeconds(t: Ns): string {
  return `${secondsPart(t)}Z`;
}

/** Falco "time": always nine fractional digits. */
export function isoNanos(t: Ns): string {
  return `${secondsPart(t)}.${fraction(t).toString().padStart(9, '0')}Z`;
}

/** Kubernetes audit metav1.MicroTime: always six fractional digits. */
export function isoMicros(t: Ns): string {
  return `${secondsPart(t)}.${(fraction(t) / NS_PER_US).toString().padStart(6, '0')}Z`;
}

/**
 * protobuf JSON Timestamp (Tetragon): 0, 3, 6 or 9 fractional digits, the fewest that are exact.
 * So "…41Z", "…41.500Z", "…41.123456Z" and "…41.123456789Z" all occur.
 */
export function isoProto(t: Ns): string {
  const f = fraction(t);
  if (f === 0n) return `${secondsPart(t)}Z`;
  let digits = f.toString().padStart(9, '0');
  if (digits.endsWith('000000')) digits = digits.slice(0, 3);
  else if (digits.endsWith('000')) digits = digits.slice(0, 6);
  return `${secondsPart(t)}.${digits}Z`;
}

/** `aws cloudtrail lookup-events` EventTime: "2026-10-20T09:10:00+00:00". */
export function isoLookup(t: Ns): string {
  return `${secondsPart(t)}+00:00`;
}

/** Falco's text output prefix (time_format_iso_8601): "2026-10-20T09:10:00.123456789+0000". */
export function falcoOutputTime(t: Ns): string {
  return `${secondsPart(t)}.${fraction(t).toString().padStart(9, '0')}+0000`;
}

/** Inventory snapshot instant in a file name: "2026-10-20T09-50-00Z". */
export function fileStamp(t: Ns): string {
  return `${secondsPart(t).replace(/:/g, '-')}Z`;
}

/** CloudTrail log file name stamp: "20261020T0915Z". */
export function cloudTrailStamp(t: Ns): string {
  const s = secondsPart(t);
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}Z`;
}

/** [YYYY, MM, DD] of t (UTC). */
export function ymd(t: Ns): [string, string, string] {
  const s = secondsPart(t);
  return [s.slice(0, 4), s.slice(5, 7), s.slice(8, 10)];
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** STS/IAM response dates as CloudTrail writes them: "Oct 20, 2026, 3:20:04 PM" (UTC, no zone). */
export function awsResponseDate(t: Ns): string {
  const s = secondsPart(t);
  const month = MONTHS[Number(s.slice(5, 7)) - 1] ?? 'Jan';
  const day = Number(s.slice(8, 10));
  const h24 = Number(s.slice(11, 13));
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12;
  return `${month} ${day}, ${s.slice(0, 4)}, ${h12}:${s.slice(14, 16)}:${s.slice(17, 19)} ${h24 < 12 ? 'AM' : 'PM'}`;
}

export function epochSeconds(t: Ns): string {
  return (t / NS_PER_S).toString();
}

export function epochMillis(t: Ns): string {
  return (t / NS_PER_MS).toString();
}

export const maxNs = (a: Ns, b: Ns): Ns => (a > b ? a : b);
export const minNs = (a: Ns, b: Ns): Ns => (a < b ? a : b);
