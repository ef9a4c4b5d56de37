import { mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import type { Store, Params } from '../store/store.js';
import { createSourceViews, summarizeTarget, writeTarget, type LandSource, type LandTargetSpec, type TargetOutcome } from '../store/land.js';
import { contentChunks, type ContentChunk } from './content-chunks.js';

/**
 * Size of the pieces a large file lands in: 256 MiB keeps a few pieces in the page cache at once
 * and gives Parquet files of ~130,000 Tetragon events. PODTRAIL_LAND_CHUNK_BYTES overrides it.
 */
export const LAND_CHUNK_BYTES = Number(process.env['PODTRAIL_LAND_CHUNK_BYTES'] ?? 256 * 1024 * 1024);
/** Pieces landed side by side: one per core, up to 4 (ingest opens DuckDB with one thread per statement). */
export const LAND_CONNECTIONS = Math.max(1, Math.min(4, os.availableParallelism()));

export interface ChunkedLanding {
  /** The content file (clean lines: line number = value ordinal). */
  source: LandSource;
  target: LandTargetSpec;
  /** Pieces of about this many bytes (LAND_CHUNK_BYTES). */
  chunkBytes: number;
  /** Pieces landed side by side, each on its own connection. */
  connections: number;
}

/**
 * Lands a large clean file of a row-per-record source in pieces cut at line ends, several at a
 * time, each on its own connection. DuckDB numbers rows with row_number(), which keeps a statement
 * to one thread; pieces side by side use every core instead, and each piece's rows are numbered
 * from its first line (counted while it was cut), so numbers stay exact whatever the order in
 * which pieces finish. Every piece writes its own Parquet files (c<index>-<i>), so the landed
 * data does not depend on the number of connections. The land SQL of such a source is row-local
 * (Collector.rowPerRecord), so a piece lands as the whole file would.
 */
export async function landInChunks(store: Store, c: ChunkedLanding, stagingDir: string, params: Params): Promise<TargetOutcome | null> {
  const chunkDir = `${stagingDir}.chunks`;
  mkdirSync(chunkDir, { recursive: true });
  const pool: Store[] = [store];
  for (let i = 1; i < c.connections; i++) pool.push(await store.connect());
  const chunks = contentChunks(c.source.contentPath, c.source.contentBytes, chunkDir, c.chunkBytes);
  const running = new Set<Promise<void>>();
  let failure: unknown = null;

  const landOne = async (conn: Store, chunk: ContentChunk): Promise<void> => {
    try {
      await createSourceViews(conn, { ...c.source, contentPath: chunk.path, ordinalBase: chunk.linesBefore });
      await writeTarget(conn, c.target, stagingDir, params, `c${String(chunk.index).padStart(6, '0')}-{i}`);
    } catch (e) {
      // DuckDB names the piece and counts records within it: say which file and where the piece starts
      const m = e instanceof Error ? e.message : String(e);
      throw chunk.temporary && m.includes(chunk.path) ? new Error(m.replaceAll(chunk.path, `${c.source.contentPath} (piece ${chunk.index}, from line ${chunk.linesBefore + 1})`)) : e;
    } finally {
      if (chunk.temporary) rmSync(chunk.path, { force: true });
      pool.push(conn);
    }
  };

  try {
    // the next piece is cut while the others land
    let next = chunks.next();
    for (;;) {
      const r = await next;
      if (r.done || failure !== null) {
        if (!r.done && r.value.temporary) rmSync(r.value.path, { force: true });
        break;
      }
      next = chunks.next();
      const conn = pool.pop()!;
      const p: Promise<void> = landOne(conn, r.value)
        .catch((e: unknown) => {
          failure ??= e;
        })
        .finally(() => running.delete(p));
      running.add(p);
      if (pool.length === 0) await Promise.race(running);
    }
    await Promise.all(running);
  } finally {
    await Promise.all(running);
    await chunks.return(undefined);
    for (const conn of pool) if (conn !== store) conn.close();
    rmSync(chunkDir, { recursive: true, force: true });
  }
  if (failure !== null) throw failure;
  return (await summarizeTarget(store, c.target, stagingDir)).get(c.source.evidenceFileId) ?? null;
}
