import { canonicalJson } from '../core/canonical-json.js';
import type { SignatureStatus, Validation } from '../case/validation-json.js';

export { findingsOf, readValidation, type Finding, type SignatureStatus, type Validation } from '../case/validation-json.js';

/** The bundle's validation.json: the case's gaps checks plus the bundle's signature status. */
export function bundleValidationText(v: Validation, signature: SignatureStatus): string {
  return `${canonicalJson({ ...v, signature })}\n`;
}
