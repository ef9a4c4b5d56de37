import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { PACKAGE_ROOT } from '../../core/version.js';
import type { SensorKind } from './sensor-kind.js';

/** Where the sensor's pinned versions and manifest templates live (shipped with the package). */
export const SENSOR_DEPLOY_DIR = path.join(PACKAGE_ROOT, 'deploy', 'sensor');

/** One pinned sensor image, as deploy/sensor/versions.yaml gives it. */
export interface SensorPin {
  version: string;
  image: string;
  tag: string;
  digest: string;
  verified: string;
  digest_source: string;
  [k: string]: unknown;
}

/** The image reference the manifests run: repository:tag@digest (the digest decides, the tag documents). */
export function imageRef(pin: SensorPin): string {
  return `${pin.image}:${pin.tag}@${pin.digest}`;
}

/** Reads and checks deploy/sensor/versions.yaml: every image pinned by a sha256 digest, its source named. */
export function loadPins(file = path.join(SENSOR_DEPLOY_DIR, 'versions.yaml')): Record<SensorKind, SensorPin> {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  if (doc['schema'] !== 'podtrail.sensor-versions/v1') throw new Error(`${file}: not a podtrail.sensor-versions/v1 file`);
  const out = {} as Record<SensorKind, SensorPin>;
  for (const kind of ['tetragon', 'falco'] as const) {
    const p = doc[kind] as SensorPin | undefined;
    if (!p) throw new Error(`${file}: no ${kind} entry`);
    for (const k of ['version', 'image', 'tag', 'digest', 'verified', 'digest_source'] as const) {
      if (typeof p[k] !== 'string' || p[k] === '') throw new Error(`${file}: ${kind}.${k} is missing`);
    }
    if (!/^sha256:[0-9a-f]{64}$/.test(p.digest)) throw new Error(`${file}: ${kind}.digest is not a sha256 digest`);
    if (!/not pulled or verified here/.test(p.verified)) throw new Error(`${file}: ${kind}.verified must say it was not pulled or verified here`);
    out[kind] = p;
  }
  return out;
}
