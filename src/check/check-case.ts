import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { withLockedCaseStore } from '../store/locked-case.js';
import { runChecks } from '../store/checks.js';
import { correlationFingerprint, requireFreshCorrelation } from '../correlate/freshness.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { sha256Hex } from '../custody/custody-log.js';
import { count, toProgress, type ProgressLike } from '../core/progress.js';
import { stableJson } from '../core/stable-json.js';
import { buildValidation, type Validation } from './validation.js';
import { recordAnalysis } from '../custody/analysis-entry.js';
import { createClock, type Clock } from '../core/clock.js';
import { sqlRuleHashes } from '../store/sql-hashes.js';
import { exportAnalysisSnapshot } from '../store/snapshot.js';
import { faultPoint } from '../core/fault-point.js';

/** The purpose of this step's 'analyzed' custody entry (podtrail reproduce finds the step by it). */
export const CHECK_PURPOSE = 'gaps checks: validation.json';

export const VALIDATION_SCHEMA = 'podtrail.validation/v1';

/**
 * `podtrail check`: runs the gaps checks over a correlated case, materializes gap_findings and
 * gap_impacts, and writes CASE/validation.json (through a temp file and a rename).
 */
export async function checkCase(caseDir: string, log?: ProgressLike, clock: Clock = createClock(), actor?: string): Promise<Validation> {
  const p = casePaths(caseDir);
  const config = loadCaseConfig(p.config);
  const configText = readFileSync(p.config);
  return withLockedCaseStore(p, { write: true }, async (store) => {
    const catalog = await readEvidenceFiles(store, p.lake);
    const fingerprint = correlationFingerprint(catalog, configText);
    await requireFreshCorrelation(store, fingerprint, caseDir);
    const progress = toProgress(log);
    progress.begin('running the gaps checks');
    const { findings, impacts, counts } = await runChecks(store);
    progress.end(`gap_findings: ${count(findings.length, 'finding')} (${count(counts['gap'] ?? 0, 'gap')}, ${counts['unknown'] ?? 0} unknown)`);
    const validation = buildValidation({ config, configSha256: fingerprint.config_sha256, catalog, findings, impacts, catalogSha256: fingerprint.catalog_sha256, tool: fingerprint.tool_version });
    const tmp = `${p.validation}.tmp`;
    const validationText = stableJson(validation);
    writeFileSync(tmp, validationText);
    renameSync(tmp, p.validation);
    faultPoint('after-check');
    recordAnalysis(p.custody, clock, CHECK_PURPOSE, {
      ...fingerprint,
      rules: sqlRuleHashes(['50_checks']),
      validation_sha256: sha256Hex(validationText),
    }, actor);
    // readers that find the case held read these tables from the snapshot
    await exportAnalysisSnapshot(store, p);
    return validation;
  });
}
