/** One HTTP request and what came back, as the collectors record it (bodies as the bytes sent). */
export interface HttpExchange {
  method: string;
  /** Absolute URL as sent. */
  url: string;
  requestBody: Buffer | null;
  /** Null when no response came (refused, TLS failure, timeout before the headers). */
  status: number | null;
  /** Response headers, lower-case names. */
  headers: Record<string, string>;
  /** The response bytes received (possibly cut short), empty when none or streamed. */
  body: Buffer;
  /** A body streamed to a file instead of kept here: the count and SHA-256 of the bytes received. */
  streamed?: { bytes: number; sha256: string };
  requestedAtMs: number;
  respondedAtMs: number;
}
