/** The evidence sources podtrail lands (values of --source). */
export const SOURCE_TYPES = ['tetragon', 'falco', 'kube-audit', 'inventory', 'cloudtrail', 'k8s-watch', 'collection', 'sensor', 'cloudtrail-digest', 'cloudtrail-objects', 'cloudtrail-public-keys', 'aws-ip-ranges', 'aws-inventory'] as const;
export type SourceType = (typeof SOURCE_TYPES)[number];

/** A lake table written by a land SQL file. */
export interface LandTarget {
  /** Lake table, or "_rejects" for a file whose rows are only rejects (objects of other kinds). */
  table: string;
  /** File under sql/20_land/. Its SELECT reads relation `src` and ends with a `_disposition` column. */
  sqlFile: string;
}

export type { InputMode } from '../lake/input-mode.js';
import type { InputMode } from '../lake/input-mode.js';

export interface Collector {
  source: SourceType;
  /** What this source's records look like, for messages. */
  describe: string;
  /** True when a parsed sample value (a line or the document) is this source's. */
  detect(sample: Record<string, unknown>): boolean;
  input: InputMode;
  targets: LandTarget[];
  /**
   * A SQL file (under sql/20_land/) run once before the targets into a temp table the targets read,
   * when several targets share the same extraction (inventory: the records of a List).
   */
  prelude?: { table: string; sqlFile: string };
  /**
   * The land SQL yields exactly one row per `src` row and reads `_ordinal` and `_line` only for
   * `row_id` and `line`. On the fast path such a file lands in parallel and gets its ordinals from
   * the row's position (see landTarget); podtrail checks the plan keeps the order, else falls back.
   */
  rowPerRecord?: boolean;
  /**
   * The source comes as many small files of one value each (CloudTrail's S3 log files, one per
   * account, region and 5 minutes): consecutive such files land together, one statement per batch
   * (doc mode only).
   */
  manySmallFiles?: boolean;
  /** Inventory only: the file needs a snapshot instant. */
  needsSnapshot?: boolean;
  /**
   * What the file's name adds to its meaning (the region of a ListPublicKeys answer, which the
   * answer does not name): the same bytes under two such names are two pieces of evidence.
   */
  qualifierFromName?: (origin: string) => string | null;
}

/** Formats podtrail recognises but does not land yet: refused with this reason. */
export interface UnsupportedFormat {
  name: string;
  detect(sample: Record<string, unknown>): boolean;
}
