import type { Collector } from '../types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Envelope elements looked at for detection: a broken first element must not hide the rest. */
const PROBE_ELEMENTS = 50;

function isEvent(s: Obj): boolean {
  return typeof s['eventSource'] === 'string' && typeof s['eventName'] === 'string' && ('eventTime' in s || 'eventID' in s);
}

function someOf(list: unknown[], test: (o: Obj) => boolean): boolean {
  return list.length === 0 || list.slice(0, PROBE_ELEMENTS).some((e) => isObj(e) && test(e));
}

/** AWS CloudTrail: S3 log files, lookup-events output, EventBridge deliveries, single events. */
export const cloudtrail: Collector = {
  source: 'cloudtrail',
  describe: 'AWS CloudTrail ({"Records":[...]} log files, lookup-events output, EventBridge deliveries, single events)',
  detect: (s) => {
    if (Array.isArray(s['Records'])) return someOf(s['Records'], isEvent);
    if (Array.isArray(s['Events'])) return someOf(s['Events'], (e) => 'CloudTrailEvent' in e);
    if (isObj(s['detail']) && s['detail-type'] === 'AWS API Call via CloudTrail') return true;
    return isEvent(s);
  },
  input: { mode: 'doc' },
  targets: [{ table: 'cloud_events', sqlFile: 'cloudtrail.sql' }],
  manySmallFiles: true,
};
