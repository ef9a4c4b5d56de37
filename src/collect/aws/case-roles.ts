import { existsSync } from 'node:fs';
import { casePaths } from '../../case/case-paths.js';
import { openAnalystStore } from '../../store/analyst-store.js';

/**
 * The IRSA roles the case's landed service accounts name (eks.amazonaws.com/role-arn), read as an
 * analyst query does (beside any writer, from the last committed state): their trust policies say
 * which service accounts may assume them. A case with nothing landed yet names none.
 */
export async function irsaRolesOfCase(caseDir: string): Promise<string[]> {
  const p = casePaths(caseDir);
  if (!existsSync(p.lake)) return [];
  let a;
  try {
    a = await openAnalystStore(p);
  } catch {
    return [];
  }
  try {
    const rows = await a.store.rows<{ arn: string }>(`select distinct irsa_role_arn as arn from k8s_service_accounts where irsa_role_arn like 'arn:%:iam::%:role/%' order by 1`);
    return rows.map((r) => r.arn);
  } catch {
    return [];
  } finally {
    a.close();
  }
}
