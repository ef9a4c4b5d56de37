import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { PACKAGE_ROOT } from '../core/version.js';
import { closest } from '../core/closest.js';
import { describeParams, loadHunts, type Hunt } from './hunt-file.js';

/** queries/ of the installed package: the hunt library. */
export const HUNTS_DIR = path.join(PACKAGE_ROOT, 'queries');

let cache: Hunt[] | null = null;

export function listHunts(): Hunt[] {
  cache ??= loadHunts(HUNTS_DIR);
  return cache;
}

export function findHunt(name: string): Hunt {
  const hunts = listHunts();
  const h = hunts.find((x) => x.name === name);
  if (h) return h;
  const near = closest(name, hunts.map((x) => x.name));
  throw new UsageError(`no hunt named "${name}"${near.length > 0 ? ` (did you mean ${near.join(' or ')}?)` : ''}; podtrail hunts lists them`);
}

/**
 * The values bound to a hunt's parameters: each given --param, else its declared default. A
 * parameter the hunt does not declare, or a required one missing, is a usage error naming them.
 */
export function huntParamValues(hunt: Hunt, given: Readonly<Record<string, string>>): Record<string, string | null> {
  const declared = new Set(hunt.params.map((p) => p.name));
  for (const k of Object.keys(given)) {
    if (!declared.has(k)) throw new UsageError(`hunt ${hunt.name} has no parameter $${k} (it takes: ${hunt.params.map((p) => `$${p.name} ${p.type}`).join(', ') || 'no parameters'})`);
  }
  const out: Record<string, string | null> = {};
  for (const p of hunt.params) {
    if (p.name in given) out[p.name] = given[p.name]!;
    else if (p.default !== undefined) out[p.name] = p.default;
    else throw new UsageError(`hunt ${hunt.name} needs --param ${p.name}=<${p.type}>`);
  }
  return out;
}

/** The list `podtrail hunts` and the shell's .hunts print: name, description, params. */
export function renderHuntList(hunts: readonly Hunt[] = listHunts()): string {
  return hunts.map((h) => `${h.name}\n  ${h.description}\n  params: ${describeParams(h.params)}\n`).join('');
}

/** The same as JSON (podtrail hunts --json). */
export function huntListJson(hunts: readonly Hunt[] = listHunts()): string {
  return JSON.stringify(hunts.map((h) => ({ name: h.name, description: h.description, params: h.params.map((p) => ({ name: p.name, type: p.type, ...(p.default === undefined ? {} : { default: p.default }) })), file: `queries/${path.basename(h.file)}` })), null, 2) + '\n';
}

/** The hunt table of the README (between <!-- hunts:begin --> and <!-- hunts:end -->). */
export function renderHuntMarkdown(hunts: readonly Hunt[] = listHunts()): string {
  const cell = (s: string): string => s.replace(/\|/g, '\\|');
  return [
    '| hunt | what it answers | params |',
    '|---|---|---|',
    ...hunts.map((h) => `| \`${h.name}\` | ${cell(h.description)} | ${h.params.length === 0 ? '' : cell(h.params.map((p) => `\`$${p.name}\` ${p.type}${p.default === undefined ? '' : ` = ${p.default === null ? 'null' : p.default}`}`).join(', '))} |`),
  ].join('\n') + '\n';
}
