import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CASE_SCHEMA, DEFAULTS, renderCaseConfig, validateCaseConfig, type CaseConfig } from './case-config.js';
import { casePaths } from './case-paths.js';
import { CaseError } from '../core/errors.js';

export interface InitOptions {
  from: string;
  to: string;
  namespaces: string[];
  reason?: string;
  margin?: string;
  tolerance?: string;
  caseId?: string;
}

/** Builds a validated config from init options (the same validation as every later load). */
export function buildCaseConfig(caseDir: string, o: InitOptions): CaseConfig {
  const doc = {
    schema: CASE_SCHEMA,
    case_id: o.caseId ?? path.basename(path.resolve(caseDir)).replace(/[^A-Za-z0-9._-]/g, '-'),
    window: { from: o.from, to: o.to, reason: o.reason ?? '', margin: o.margin ?? `${DEFAULTS.margin_seconds}s` },
    scope: { namespaces: o.namespaces },
    clock: { tolerance: o.tolerance ?? `${DEFAULTS.tolerance_seconds}s`, node_offsets: {} },
    egress: [],
    gaps: {
      expected_gap_floor: `${DEFAULTS.expected_gap_floor_seconds}s`,
      expected_gap_ceiling: `${DEFAULTS.expected_gap_ceiling_seconds}s`,
    },
  };
  return validateCaseConfig(doc, 'podtrail init');
}

/** Creates CASE/ with case.yaml, raw/ and lake/. Refuses a folder that already holds a case or other files. */
export function initCase(caseDir: string, o: InitOptions): { config: CaseConfig; file: string } {
  const p = casePaths(caseDir);
  if (existsSync(p.config)) throw new CaseError(`${p.config} already exists: this folder is a case already`);
  if (existsSync(p.root) && readdirSync(p.root).length > 0) {
    throw new CaseError(`${p.root} is not empty: a case folder starts empty (inputs are acquired into it by "podtrail ingest")`);
  }
  const config = buildCaseConfig(caseDir, o);
  mkdirSync(p.raw, { recursive: true });
  mkdirSync(p.lake, { recursive: true });
  writeFileSync(p.config, renderCaseConfig(config));
  return { config, file: p.config };
}
