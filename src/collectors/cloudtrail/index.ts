import type { Collector } from '../types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function isEvent(s: Obj): boolean {
  return typeof s['eventSource'] === 'string' && typeof s['eventName'] === 'string' && ('eventTime' in s || 'eventID' in s);
}

/** AWS CloudTrail: S3 log files, lookup-events output, single events, EventBridge deliveries. */
export const cloudtrail: Collector = {
  source: 'cloudtrail',
  describe: 'AWS CloudTrail ({"Records":[...]} log files, lookup-events output, single events)',
  detect: (s) => {
    if (Array.isArray(s['Records'])) return s['Records'].length === 0 || (isObj(s['Records'][0]) && isEvent(s['Records'][0]));
    if (Array.isArray(s['Events'])) return s['Events'].length === 0 || (isObj(s['Events'][0]) && 'CloudTrailEvent' in s['Events'][0]);
    if (isObj(s['detail']) && s['detail-type'] === 'AWS API Call via CloudTrail') return true;
    return isEvent(s);
  },
  input: { mode: 'doc' },
  targets: [{ table: 'cloud_events', sqlFile: 'cloudtrail.sql' }],
};
