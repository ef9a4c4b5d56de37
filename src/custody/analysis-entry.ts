import os from 'node:os';
import { readCustody, appendCustody, type CustodyEntryInput } from './custody-log.js';
import { canonicalJson } from '../core/canonical-json.js';
import type { Clock } from '../core/clock.js';
import { TOOL_ID } from '../core/version.js';

/**
 * Appends an 'analyzed' custody entry (correlation, gaps checks), unless the last analysis entry
 * for the same purpose recorded exactly the same object: re-running an analysis on unchanged
 * evidence with unchanged rules adds nothing to the chain.
 */
export function recordAnalysis(custodyFile: string, clock: Clock, purpose: string, object: Record<string, unknown>, actor?: string): boolean {
  const { entries } = readCustody(custodyFile);
  const last = [...entries].reverse().find((e) => e.action === 'analyzed' && e.purpose === purpose);
  if (last && canonicalJson(last.object) === canonicalJson(object)) return false;
  const entry: CustodyEntryInput = {
    action: 'analyzed',
    at: clock.nowIso(),
    actor: actor ?? os.userInfo().username,
    tool: TOOL_ID,
    purpose,
    object,
  };
  appendCustody(custodyFile, [entry]);
  return true;
}
