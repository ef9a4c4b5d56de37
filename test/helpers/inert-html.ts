import { expect } from 'vitest';
import { REPORT_CLASSES } from '../../src/render/helpers.js';

/** The tags and attributes report.html may hold: ours, and only ours (no script, image, link, style attribute). */
export const ALLOWED_TAGS = new Set([
  '!DOCTYPE', 'html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'ul', 'li', 'code', 'table', 'tr', 'th', 'td', 'div', 'strong', 'span',
  'svg', 'g', 'rect', 'circle', 'line', 'text',
]);
export const ALLOWED_ATTRS = new Set([
  'lang', 'charset', 'http-equiv', 'content', 'name', 'class', 'colspan',
  'xmlns', 'viewBox', 'width', 'height', 'role', 'x', 'y', 'x1', 'y1', 'x2', 'y2', 'cx', 'cy', 'r', 'rx', 'dy', 'text-anchor', 'dominant-baseline',
]);
const INVISIBLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const CSP = /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'none'; script-src 'none'; base-uri 'none'; form-action 'none'">/;

/**
 * The report's HTML holds only our tags and attributes, no script, no raw control character; every
 * attribute value is ours: numbers, fixed words, or a class the stylesheet defines or the cls helper allows.
 */
export function expectInertHtml(html: string): void {
  const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
  const styled = new Set([...style.matchAll(/\.([a-z][a-z0-9-]*)/g)].map((m) => m[1]!));
  for (const m of html.matchAll(/<\/?([!A-Za-z0-9-]+)([^>]*)>/g)) {
    expect(ALLOWED_TAGS.has(m[1]!), `tag ${m[0]}`).toBe(true);
    const attrs = m[2]!;
    const bare = attrs.replace(/"[^"]*"/g, '""');
    expect(bare, m[0]).toMatch(/^(\s+[A-Za-z0-9-]+="")*\s*\/?$|^ html$/);
    for (const a of attrs.matchAll(/([A-Za-z0-9-]+)="([^"]*)"/g)) {
      expect(ALLOWED_ATTRS.has(a[1]!), `attribute in ${m[0]}`).toBe(true);
      if (a[1] === 'class') for (const c of a[2]!.split(' ')) expect(styled.has(c) || REPORT_CLASSES.has(c), `class ${c} in ${m[0]}`).toBe(true);
      else if (!['content', 'lang', 'charset', 'http-equiv', 'name', 'xmlns', 'role', 'text-anchor', 'dominant-baseline', 'viewBox'].includes(a[1]!)) expect(a[2], `${a[1]} in ${m[0]}`).toMatch(/^-?\d+(\.\d+)?%?$/);
    }
  }
  expect(html).not.toMatch(/<script|<img|<iframe|<object|<embed|<a |<link|<foreignObject|onerror=|onload=|style="|href=/i);
  expect(html).not.toMatch(INVISIBLE);
  expect(html).toMatch(CSP);
}
