import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { PACKAGE_ROOT } from '../core/version.js';
import { HELPERS, KNOWN_HELPERS } from './helpers.js';
import { mapStrings, mdCode, neutralize } from './escape.js';

export const REPORTS_DIR = path.join(PACKAGE_ROOT, 'reports');

type Template = (context: unknown) => string;

/**
 * One isolated Handlebars environment per output format, templates compiled strictly (a missing
 * field throws) with only the helpers of helpers.ts. HTML escapes every {{ }}; the Markdown
 * environment does not escape (HTML entities mean nothing in a code span) because every string of
 * its context is already a code span (mdCode).
 */
function compile(file: string, markdown: boolean): { template: Template; source: string } {
  const env = Handlebars.create();
  for (const [name, fn] of Object.entries(HELPERS)) env.registerHelper(name, fn);
  const source = readFileSync(path.join(REPORTS_DIR, file), 'utf8');
  if (source.includes('{{{') || source.includes('{{&')) throw new Error(`${file}: unescaped output ({{{ }}} or {{& }}) is not allowed in report templates`);
  const template = env.compile(source, {
    strict: true,
    knownHelpers: KNOWN_HELPERS,
    knownHelpersOnly: true,
    noEscape: markdown,
    preventIndent: true,
  });
  return { template: (ctx) => template(ctx), source };
}

let cache: { md: Template; html: Template; styleHash: string } | null = null;

function templates(): { md: Template; html: Template; styleHash: string } {
  if (cache) return cache;
  const md = compile('report.md.hbs', true);
  const html = compile('report.html.hbs', false);
  // the HTML's one inline style: allowed by its hash in the Content-Security-Policy, nothing else is
  const styles = [...html.source.matchAll(/<style>([\s\S]*?)<\/style>/g)];
  if (styles.length !== 1 || styles[0]![1]!.includes('{{')) throw new Error('report.html.hbs: exactly one static <style> block expected');
  const styleHash = createHash('sha256').update(styles[0]![1]!, 'utf8').digest('base64');
  cache = { md: md.template, html: html.template, styleHash };
  return cache;
}

/** Renders the report in both formats: a pure function of the model. */
export function renderReport(model: object): { markdown: string; html: string } {
  const t = templates();
  const markdown = t.md(mapStrings(model, mdCode));
  // the hash is ours (not evidence) and base64: a SafeString keeps its "=" out of entity escaping
  const html = t.html({ ...mapStrings(model, (s) => neutralize(s, false)), csp_style_hash: new Handlebars.SafeString(t.styleHash) });
  return { markdown: normalizeEnd(markdown), html: normalizeEnd(html) };
}

/** One final newline, no trailing spaces, at most one blank line in a row: stable, diff-friendly. */
function normalizeEnd(text: string): string {
  return `${text.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').replace(/\s+$/, '')}\n`;
}
