import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { tempDir } from '../helpers/case.js';
import { buildGoldenCase } from '../bundle/helpers.js';
import { generateScenario } from '../../src/generate/generate.js';
import { ingestCase } from '../../src/ingest/ingest-case.js';
import { runCase } from '../../src/pipeline/run-case.js';
import { createClock } from '../../src/core/clock.js';
import type { ReportModel } from '../../src/report/model.js';
import { hasChromium, hasPdftotext, inCi, launch, notice } from './harness.js';
import { XSS_CORPUS, XSS_STRING } from './xss-corpus.js';

/**
 * report.html in a real browser: headless Chromium renders the report of the golden case (its
 * evidence poisoned with the XSS corpus) and of the imds-node-role and mixed scenarios; every
 * check goes through the DOM, against the report model and the bundle's joins.jsonl and
 * validation.json.
 */

interface Built {
  name: string;
  dir: string;
  model: ReportModel;
  joins: Record<string, unknown>[];
  gaps: { finding_id: string; check_id: string; from: string; to: string }[];
}

const run = hasChromium || inCi;
if (!hasChromium && !inCi) notice(`${'/usr/bin/chromium'} is not installed`);

const tmp = tempDir('podtrail-browser-');
const built: Built[] = [];
let browser: { context: BrowserContext; close: () => Promise<void> } | null = null;
const started = performance.now();

/** The XSS corpus in the places evidence strings reach the report: command lines, user names and commands of execs, object names. */
function poison(caseDir: string): void {
  const tet = path.join(caseDir, 'inputs', 'tetragon', 'ip-10-0-29-28.us-west-2.compute.internal.json');
  writeFileSync(tet, `${readFileSync(tet, 'utf8').trim().split('\n').map((l) => {
    const e = JSON.parse(l) as { process_exec?: { process: { arguments?: string } } };
    if (e.process_exec) e.process_exec.process.arguments = `${XSS_STRING} ${e.process_exec.process.arguments ?? ''}`;
    return JSON.stringify(e);
  }).join('\n')}\n`);
  const audit = path.join(caseDir, 'inputs', 'kube-audit', 'audit.log');
  writeFileSync(audit, `${readFileSync(audit, 'utf8').trim().split('\n').map((l) => {
    const e = JSON.parse(l) as { user: { username: string }; requestURI?: string; userAgent?: string };
    if (e.user.username === 'alice@example.com') e.user.username = `alice${XSS_STRING}@example.com`;
    e.userAgent = XSS_STRING;
    return JSON.stringify(e);
  }).join('\n')}\n`);
}

async function scenarioBundle(name: string): Promise<Built> {
  const caseDir = path.join(tmp.dir, name);
  generateScenario({ scenario: name, seed: 1, scale: 0.05, outDir: caseDir });
  const clock = createClock('2026-11-29T00:00:00Z');
  await ingestCase({ caseDir, paths: [path.join(caseDir, 'inputs')], source: null, operator: 'tester', snapshotAt: null, clock, log: () => {} });
  const r = await runCase({ caseDir, outDir: path.join(caseDir, 'bundle'), clock, operator: 'tester' });
  return load(name, r.outDir, r.model);
}

function load(name: string, dir: string, model: ReportModel): Built {
  const joins = readFileSync(path.join(dir, 'joins.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const v = JSON.parse(readFileSync(path.join(dir, 'validation.json'), 'utf8')) as { checks: { id: string; findings: { status: string; finding_id: string; interval: { from: string; to: string } }[] }[] };
  const gaps = v.checks.flatMap((c) => c.findings.map((f) => ({ ...f, check_id: c.id }))).filter((f) => f.status === 'gap').map((f) => ({ finding_id: f.finding_id, check_id: f.check_id, from: f.interval.from, to: f.interval.to }));
  return { name, dir, model, joins, gaps };
}

beforeAll(async () => {
  if (!run) return;
  const golden = await buildGoldenCase(path.join(tmp.dir, 'golden'), { mutate: poison });
  built.push(load('golden (poisoned)', golden.outDir, golden.model));
  built.push(await scenarioBundle('imds-node-role'));
  built.push(await scenarioBundle('mixed'));
  if (!hasChromium) throw new Error('CI=true and /usr/bin/chromium is missing: .ci/run installs it with apt-get');
  browser = await launch();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  tmp.cleanup();
  if (run) process.stderr.write(`browser tests: ${((performance.now() - started) / 1000).toFixed(1)} s (building the three bundles included)\n`);
});

/** Opens a bundle's report.html, recording every request and dialog. */
async function open(b: Built, width = 1280): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const page = await browser!.context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(pathToFileURL(path.join(b.dir, 'report.html')).href, { waitUntil: 'load' });
  return { page, requests, dialogs };
}

interface DomLane {
  kind: string;
  title: string;
  marks: { tag: string; cls: string; title: string }[];
}

/** The swimlanes as the DOM has them: lane bands in order, and each lane's marks (its <g>, same order). */
async function domLanes(page: Page): Promise<DomLane[]> {
  return page.evaluate(() => {
    const svg = document.querySelector('svg.timeline');
    if (!svg) return [];
    const bands = [...svg.querySelectorAll(':scope > rect')].filter((r) => /^lane-(pod|node|human|outside)$/.test(r.getAttribute('class') ?? ''));
    const titles = [...svg.querySelectorAll(':scope > text.lane-label > title')].map((t) => t.textContent ?? '');
    const groups = [...svg.querySelectorAll(':scope > g')];
    return bands.map((r, i) => ({
      kind: (r.getAttribute('class') ?? '').slice(5),
      title: titles[i] ?? '',
      marks: [...(groups[i]?.children ?? [])].map((m) => ({ tag: m.tagName, cls: m.getAttribute('class') ?? '', title: m.querySelector('title')?.textContent ?? '' })),
    }));
  });
}

const ms = (iso: string): number => Date.parse(iso.replace(/(\.\d{3})\d*Z$/, '$1Z'));

describe.runIf(run)('report.html in Chromium', () => {
  it('draws one lane per actor of the model, every detailed finding among them', async () => {
    for (const b of built) {
      const { page } = await open(b);
      const lanes = await domLanes(page);
      expect(lanes.map((l) => [l.kind, l.title]), b.name).toEqual(b.model.svg.lanes.map((l) => [l.kind, l.title]));
      for (const f of b.model.findings) {
        if (b.model.svg.lanes_omitted > 0) break;
        expect(lanes.some((l) => l.kind === (f.is_outside ? 'outside' : f.actor_kind) && l.title.includes(f.actor_id)), `${b.name}: lane of ${f.label}`).toBe(true);
      }
      await page.close();
    }
  });

  it('puts one mark per attributed call on the lane of its attribution, with its confidence class', async () => {
    for (const b of built) {
      const { page } = await open(b);
      const from = ms(b.model.svg.axis_from);
      const to = ms(b.model.svg.axis_to);
      const calls = b.joins.filter((j) => j['table'] === 'attributions' && ms(String(j['ts'])) >= from && ms(String(j['ts'])) <= to);
      const byEvent = new Map(calls.map((j) => [String(j['event_id']), j]));
      let checked = 0;
      for (const [i, lane] of (await domLanes(page)).entries()) {
        const marks = lane.marks.filter((m) => m.tag === 'circle').map((m) => ({ cls: m.cls, event: /\(event ([^)]+)\)$/.exec(m.title)?.[1] ?? '' }));
        for (const m of marks) {
          const j = byEvent.get(m.event);
          expect(j, `${b.name}: mark of ${m.event} in the axis and in joins.jsonl`).toBeDefined();
          expect(m.cls, `${b.name}: class of ${m.event}`).toBe(`mark-${String(j!['confidence'])}`);
        }
        const id = lane.kind === 'pod' ? /UID ([0-9a-f-]+)/.exec(lane.title)?.[1] : lane.kind === 'outside' ? /^address (\S+),/.exec(lane.title)?.[1] : undefined;
        if (!id || b.model.svg.lanes[i]!.marks_omitted > 0) continue;
        const expected = lane.kind === 'pod'
          ? calls.filter((j) => (j['pod_uid'] === id && ['proven', 'strong'].includes(String(j['confidence'])))
            || (j['confidence'] === 'ambiguous' && Number(j['candidate_count']) <= 5 && (j['candidates'] as { pod_uid: string }[]).some((c) => c.pod_uid === id)))
          : calls.filter((j) => j['source_ip'] === id);
        expect(marks.map((m) => m.event).sort(), `${b.name}: calls on the lane of ${id}`).toEqual(expected.map((j) => String(j['event_id'])).sort());
        checked += expected.length;
      }
      expect(checked, `${b.name}: calls checked`).toBeGreaterThan(0);
      await page.close();
    }
  });

  it('draws each declared gap at its interval on the axis', async () => {
    const TIMED = new Set(['continuity', 'coverage', 'cloudtrail-files', 'clock', 'sensor-coverage']);
    let drawn = 0;
    for (const b of built) {
      const { page } = await open(b);
      const rects = await page.evaluate(() => [...document.querySelectorAll('svg.timeline rect.gap-area')].map((r) => ({
        x: Number(r.getAttribute('x')), width: Number(r.getAttribute('width')), title: r.querySelector('title')?.textContent ?? '',
      })));
      const s = b.model.svg;
      const from = ms(s.axis_from);
      const to = ms(s.axis_to);
      const x = (t: number): number => s.plot_x0 + ((t - from) / (to - from)) * (s.plot_x1 - s.plot_x0);
      const expected = b.gaps.filter((g) => TIMED.has(g.check_id) && ms(g.from) < to && ms(g.to) > from);
      expect(rects.length, b.name).toBe(expected.length);
      for (const g of expected) {
        const r = rects.find((q) => q.title.endsWith(`(${g.finding_id})`));
        expect(r, `${b.name}: rectangle of ${g.finding_id}`).toBeDefined();
        const x0 = x(Math.max(ms(g.from), from));
        const x1 = x(Math.min(ms(g.to), to));
        expect(Math.abs(r!.x - x0), `${b.name}: x of ${g.finding_id}`).toBeLessThanOrEqual(0.1);
        expect(Math.abs(r!.width - (x1 - x0)), `${b.name}: width of ${g.finding_id}`).toBeLessThanOrEqual(0.2);
        drawn++;
      }
      await page.close();
    }
    expect(drawn).toBeGreaterThan(0);
  });

  it('fits the page without horizontal scrolling at 1280 px and at print width', async () => {
    for (const b of built) {
      const { page } = await open(b);
      const fit = (): Promise<[number, number]> => page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth] as [number, number]);
      const [w1, c1] = await fit();
      expect(w1, `${b.name} at 1280 px`).toBeLessThanOrEqual(c1);
      await page.emulateMedia({ media: 'print' });
      await page.setViewportSize({ width: 718, height: 1000 }); // A4 less Chromium's default print margins
      const [w2, c2] = await fit();
      expect(w2, `${b.name} at print width`).toBeLessThanOrEqual(c2);
      await page.close();
    }
  });

  it('requests nothing but the page itself, and runs nothing', async () => {
    for (const b of built) {
      const { page, requests, dialogs } = await open(b);
      const url = pathToFileURL(path.join(b.dir, 'report.html')).href;
      expect(requests, b.name).toEqual([url]);
      expect(dialogs, b.name).toEqual([]);
      await page.close();
    }
  });

  it('keeps every XSS string of the evidence inert: text on the page, never markup or script', async () => {
    const b = built[0]!;
    const { page, requests, dialogs } = await open(b);
    const dom = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: unknown }).__xss ?? null,
      tags: [...new Set([...document.querySelectorAll('*')].map((e) => e.tagName.toLowerCase()))].sort(),
      handlers: [...document.querySelectorAll('*')].flatMap((e) => [...e.attributes].map((a) => a.name)).filter((n) => /^on|^href$|^src$|^style$|^srcdoc$|^action$|^data$/i.test(n)),
      text: document.body.textContent ?? '',
    }));
    expect(dom.xss).toBeNull();
    expect(dialogs).toEqual([]);
    expect(requests.length).toBe(1);
    expect(dom.handlers).toEqual([]);
    for (const t of dom.tags) expect(['html', 'head', 'meta', 'title', 'style', 'body', 'h1', 'h2', 'h3', 'p', 'ul', 'li', 'code', 'table', 'tbody', 'tr', 'th', 'td', 'div', 'strong', 'span', 'svg', 'g', 'rect', 'circle', 'line', 'text'], `element <${t}>`).toContain(t);
    // every string of the corpus reached the page, as text
    for (const x of XSS_CORPUS) expect(dom.text, x).toContain(x);
    expect(dom.text).toContain(`alice${XSS_STRING}@example.com`);
    await page.close();
  });

  it.runIf(hasPdftotext || inCi)('prints a PDF that holds every finding\'s pod UID', async () => {
    for (const b of built) {
      const { page } = await open(b);
      const pdf = path.join(tmp.dir, `${b.name.replace(/\W+/g, '-')}.pdf`);
      await page.pdf({ path: pdf, format: 'A4', printBackground: true });
      const out = spawnSync('pdftotext', ['-enc', 'UTF-8', pdf, '-'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
      expect(out.status, out.stderr).toBe(0);
      const text = out.stdout.replace(/\s+/g, '');
      const uids = b.model.answer.filter((a) => a.is_pod).map((a) => a.actor_id);
      expect(uids.length, b.name).toBeGreaterThan(0);
      for (const uid of uids) expect(text, `${b.name}: ${uid} in the PDF`).toContain(uid);
      await page.close();
    }
  });
});

