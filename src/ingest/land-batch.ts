import { rmSync } from 'node:fs';
import path from 'node:path';
import type { Store, Params } from '../store/store.js';
import { createBatchSourceView } from '../store/land.js';
import type { Collector } from '../collectors/types.js';
import type { AcquiredFile } from '../acquire/acquire-file.js';
import { duplicateKeysParam, runTargets } from './land-targets.js';
import { isJsonReadError, readResult } from './read-paths.js';
import { accountFile, type FileLanding } from './file-landing.js';
import { landFile } from './land-file.js';

export interface BatchMember {
  efid: string;
  acquired: AcquiredFile;
  layout: 'lines' | 'document';
}

/** Small one-value files of a collector that comes in many of them (Collector.manySmallFiles) fit a batch. */
export function batchable(collector: Collector, a: AcquiredFile, layout: 'lines' | 'document'): boolean {
  return (
    collector.manySmallFiles === true &&
    collector.input.mode === 'doc' &&
    (a.gzip?.problems.length ?? 0) === 0 &&
    a.scan.bytes < 32 * 1024 * 1024 &&
    (layout === 'document' || (a.scan.lines === 1 && a.scan.clean))
  );
}

/** Thrown when no file of a batch holds exactly one value: every file lands on its own. */
const NO_BATCHABLE_FILE = 'no batchable file';

/**
 * Lands many small one-value files with one statement per target. Files that turn out not to hold
 * exactly one value, or a batch the JSON reader refuses, are landed one by one instead.
 */
export async function landBatch(store: Store, members: BatchMember[], collector: Collector, stagingDir: string, params: Params): Promise<Map<string, FileLanding>> {
  const duplicateKeys: string[] = [];
  for (const m of members) duplicateKeys.push(...(await duplicateKeysParam(m.efid, m.acquired, m.layout)));
  params = { ...params, duplicate_keys: duplicateKeys };
  let out = new Map<string, FileLanding>();
  let single: BatchMember[];
  try {
    ({ out, single } = await landTogether(store, members, collector, stagingDir, params));
  } catch (e) {
    if (!(e instanceof Error) || !(isJsonReadError(e) || e.message === NO_BATCHABLE_FILE)) throw e;
    rmSync(stagingDir, { recursive: true, force: true });
    out = new Map();
    single = members;
  }
  for (const m of single) {
    out.set(m.efid, await landFile(store, m.acquired, collector, m.layout, m.efid, path.join(stagingDir, '..', `${path.basename(stagingDir)}-${m.efid}`), params));
  }
  return out;
}

/** One read and one statement per target over the members holding one value each; the others are left `single`. */
async function landTogether(store: Store, members: BatchMember[], collector: Collector, stagingDir: string, params: Params): Promise<{ out: Map<string, FileLanding>; single: BatchMember[] }> {
  const odd = new Set(
    await createBatchSourceView(
      store,
      members.map((m) => ({ evidenceFileId: m.efid, contentPath: m.acquired.contentPath, line: m.layout === 'lines' ? 1 : null })),
      Math.max(...members.map((m) => m.acquired.scan.bytes)),
    ),
  );
  const single = members.filter((m) => odd.has(m.efid));
  if (single.length === members.length) throw new Error(NO_BATCHABLE_FILE);
  // keep only the one-value files in src
  if (single.length > 0) await store.run(`delete from pt_batch_files where list_contains($odd, efid)`, { odd: [...odd] });
  const byFile = await runTargets(store, collector, stagingDir, params);
  const out = new Map<string, FileLanding>();
  for (const m of members.filter((x) => !odd.has(x.efid))) {
    const read = readResult({ readPath: 'document', values: 1, blankLines: m.acquired.scan.blankLines, outcomes: byFile.get(m.efid) ?? [] });
    out.set(m.efid, await accountFile({ ...read, efid: m.efid, mode: collector.input, layout: m.layout, contentPath: m.acquired.contentPath, truncated: false, gzProblems: [] }));
  }
  return { out, single };
}
