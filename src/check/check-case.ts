import { readFileSync, writeFileSync, renameSync } from 'node:fs';
import { casePaths } from '../case/case-paths.js';
import { loadCaseConfig } from '../case/case-config.js';
import { lockCase } from '../case/case-lock.js';
import { openCaseStore } from '../store/case-store.js';
import { runChecks, correlationFreshness } from '../store/checks.js';
import { readEvidenceFiles } from '../store/catalog.js';
import { sha256Hex } from '../custody/custody-log.js';
import { TOOL_ID } from '../core/version.js';
import { CliError } from '../core/errors.js';
import { stableJson } from '../core/stable-json.js';
import { buildValidation, type Validation } from './validation.js';
import { recordAnalysis } from '../custody/analysis-entry.js';
import { createClock, type Clock } from '../core/clock.js';
import { sqlRuleHashes } from '../store/sql-hashes.js';

/** The purpose of this step's 'analyzed' custody entry (podtrail reproduce finds the step by it). */
export const CHECK_PURPOSE = 'gaps checks: validation.json';

export const VALIDATION_SCHEMA = 'podtrail.validation/v1';

/**
 * `podtrail check`: runs the gaps checks over a correlated case, materializes gap_findings and
 * gap_impacts, and writes CASE/validation.json (through a temp file and a rename).
 */
export async function checkCase(caseDir: string, log: (line: string) => void = () => {}, clock: Clock = createClock(), actor?: string): Promise<Validation> {
  const p = casePaths(caseDir);
  const config = loadCaseConfig(p.config);
  const configSha = sha256Hex(readFileSync(p.config));
  const unlock = lockCase(p.lock);
  const store = await openCaseStore(p, { write: true });
  try {
    const catalog = await readEvidenceFiles(store, p.lake);
    const catalogSha = sha256Hex(catalog.map((r) => r.evidence_file_id).sort().join('\n'));
    const fresh = await correlationFreshness(store, catalogSha, configSha, TOOL_ID);
    if (fresh !== 'fresh') {
      throw new CliError(`the correlation tables are ${fresh}: run "podtrail correlate ${caseDir}" first (or "podtrail run")`);
    }
    const { findings, impacts, counts } = await runChecks(store);
    log(`gap_findings: ${findings.length} findings (${counts['gap'] ?? 0} gaps, ${counts['unknown'] ?? 0} unknown)`);
    const validation = buildValidation({ config, configSha256: configSha, catalog, findings, impacts, catalogSha256: catalogSha, tool: TOOL_ID });
    const tmp = `${p.validation}.tmp`;
    const validationText = stableJson(validation);
    writeFileSync(tmp, validationText);
    renameSync(tmp, p.validation);
    recordAnalysis(p.custody, clock, CHECK_PURPOSE, {
      catalog_sha256: catalogSha,
      config_sha256: configSha,
      tool_version: TOOL_ID,
      rules: sqlRuleHashes(['50_checks']),
      validation_sha256: sha256Hex(validationText),
    }, actor);
    return validation;
  } finally {
    store.close();
    unlock();
  }
}
