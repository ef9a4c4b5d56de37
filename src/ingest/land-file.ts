import type { Store, Params } from '../store/store.js';
import type { Collector } from '../collectors/types.js';
import type { AcquiredFile } from '../acquire/acquire-file.js';
import { duplicateKeysParam } from './land-targets.js';
import { readDocument, readFast, readLineExact, type ReadContext, type ReadResult } from './read-paths.js';
import { accountFile, type FileLanding } from './file-landing.js';

/**
 * Lands one acquired file: the fast path when the scan says line numbers stay exact, else (or when
 * DuckDB's reader refuses the file) the line-exact path; a whole document as one value. Then
 * accounts for every record.
 */
export async function landFile(
  store: Store,
  a: AcquiredFile,
  collector: Collector,
  layout: 'lines' | 'document',
  efid: string,
  stagingDir: string,
  params: Params,
): Promise<FileLanding> {
  const mode = collector.input;
  // doc mode: the records with a key twice in one object, for the land SQL to reject
  if (mode.mode === 'doc') params = { ...params, duplicate_keys: await duplicateKeysParam(efid, a, layout) };
  const gzProblems = a.gzip?.problems ?? [];
  const truncated = gzProblems.some((p) => p.code === 'gzip_truncated' || p.code === 'gzip_corrupt');
  const ctx: ReadContext = { store, a, collector, efid, stagingDir, params, truncated };
  const result = await read(ctx, layout, gzProblems.length > 0 ? `gzip framing problem (${gzProblems[0]!.code})` : null);
  return accountFile({ ...result, efid, mode, layout, contentPath: a.contentPath, truncated, gzProblems });
}

/** The read path of one file: why it cannot take the fast path, if it cannot (besides its scan). */
async function read(ctx: ReadContext, layout: 'lines' | 'document', gzipProblem: string | null): Promise<ReadResult> {
  if (layout === 'document') return readDocument(ctx);
  if (ctx.a.scan.clean && gzipProblem === null) {
    const fast = await readFast(ctx);
    return 'abandoned' in fast ? readLineExact(ctx, fast.abandoned) : fast;
  }
  return readLineExact(ctx, `${gzipProblem ?? ctx.a.scan.uncleanReason ?? 'not clean'}; read line by line`);
}
