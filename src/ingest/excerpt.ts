/**
 * Redaction of reject excerpts, mirroring sql/00_macros/pt_redact.sql (rule set redaction/v2):
 * an excerpt of a rejected record must not carry a live credential into the lake either.
 */
import { createHash } from 'node:crypto';

const marker = (v: string): string => `[REDACTED sha256:${createHash('sha256').update(v).digest('hex').slice(0, 12)}]`;

const JSON_SECRET =
  /"(sessionToken|secretAccessKey|password|newPassword|oldPassword|privateKey|secretString|secretBinary|clientSecret|token|credentials?Secret|apiKey|sharedSecret|authToken|assertion|SAMLAssertion|webIdentityToken)"\s*:\s*"((?:[^"\\]|\\.)*)/gi;
const ARG_SECRET = /(--?[a-z0-9_.-]*(?:passw(?:or)?d|pwd|secret|token|psk|api[_-]?key|access[_-]?key|private[_-]?key|credential)[a-z0-9_.-]*)(=|\s+)([^\s"']+)/gi;
const ENV_SECRET = /\b([a-z0-9_]*(?:passw(?:or)?d|secret|token|api_?key|access_?key|private_?key)[a-z0-9_]*)=([^\s"']+)/gi;

// token headers: X-aws-ec2-metadata-token (IMDSv2), X-Vault-Token, X-Api-Key, ... (a $VARIABLE stays)
const HEADER_SECRET = /\b([a-z0-9-]*(?:token|secret|api-?key))(\s*:\s*)([^\s"'$][^\s"']*)/gi;

export function redactExcerpt(text: string): string {
  return text
    .replace(JSON_SECRET, (all, key: string, value: string) =>
      value.length >= 4 && value !== 'HIDDEN_DUE_TO_SECURITY_REASONS' ? `"${key}": "${marker(value)}` : all,
    )
    .replace(ARG_SECRET, (all, opt: string, sep: string, value: string) => (value.length >= 4 ? `${opt}${sep}${marker(value)}` : all))
    .replace(ENV_SECRET, (all, name: string, value: string) => (value.length >= 4 ? `${name}=${marker(value)}` : all))
    .replace(HEADER_SECRET, (all, name: string, sep: string, value: string) => (value.length >= 4 ? `${name}${sep}${marker(value)}` : all));
}
