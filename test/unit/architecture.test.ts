import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

/** The top folder of src/ a file is in ('cli' for src/cli/commands/run.ts). */
const topOf = (file: string): string => path.relative(SRC, file).split(path.sep)[0]!;

/** Every module a file reads: static imports, re-exports (`export … from`) and dynamic `import()`. */
function specifiers(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|^import\s+['"]([^'"]+)['"]/gm)) {
    out.push((m[1] ?? m[2] ?? m[3])!);
  }
  return out;
}

interface Edge {
  file: string;
  from: string;
  to: string;
  specifier: string;
}

/** Every import of one src/ folder into another, resolved from the importing file whatever its depth. */
function crossFolderImports(): Edge[] {
  const edges: Edge[] = [];
  for (const file of tsFiles(SRC)) {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), spec);
      const rel = path.relative(SRC, target);
      const to = rel.startsWith('..') ? `(outside src: ${rel})` : rel.split(path.sep)[0]!;
      if (to !== topOf(file)) edges.push({ file: path.relative(SRC, file), from: topOf(file), to, specifier: spec });
    }
  }
  return edges;
}

/**
 * The layers of src/, lowest first. A folder imports only from folders of lower layers: the steps
 * (ingest, correlate, check, bundle) never reach up into the orchestration that runs them
 * (pipeline, eval, cli), and the store knows no step.
 */
const LAYERS: string[][] = [
  ['core'],
  ['custody', 'render', 'lake'],
  ['case', 'output'],
  ['store'],
  ['acquire', 'collectors', 'cloudtrail-digest'],
  ['ingest', 'generate'],
  ['correlate', 'collect'],
  ['check', 'query', 'report'],
  ['bundle', 'shell'],
  ['pipeline', 'eval'],
  ['cli'],
];
const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i] as const)));

describe('architecture', () => {
  it('only src/store/ imports DuckDB (one place hardens it and binds every value)', () => {
    const offenders = tsFiles(SRC)
      .filter((f) => topOf(f) !== 'store')
      .filter((f) => specifiers(readFileSync(f, 'utf8')).some((s) => s.startsWith('@duckdb/')))
      .map((f) => path.relative(SRC, f));
    expect(offenders).toEqual([]);
    expect(tsFiles(path.join(SRC, 'store')).some((f) => readFileSync(f, 'utf8').includes('@duckdb/node-api'))).toBe(true);
  });

  it('every folder of src/ has a layer', () => {
    const folders = readdirSync(SRC, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !layerOf.has(f))).toEqual([]);
  });

  it('imports go down the layers only, from files at any depth', () => {
    const edges = crossFolderImports();
    expect(edges.length).toBeGreaterThan(100);
    const up = edges.filter((e) => !(layerOf.has(e.to) && layerOf.get(e.to)! < layerOf.get(e.from)!));
    expect(up.map((e) => `${e.file}: ${e.specifier} (${e.from} -> ${e.to})`)).toEqual([]);
  });

  it('the generator imports nothing from the collectors, the lake, the store, the steps or sql/', () => {
    const banned = new Set(['collectors', 'acquire', 'ingest', 'store', 'lake', 'correlate', 'check', 'bundle', 'cloudtrail-digest']);
    const offenders = crossFolderImports()
      .filter((e) => e.from === 'generate' && (banned.has(e.to) || e.to.includes('sql')))
      .map((e) => `${e.file}: ${e.specifier}`);
    expect(offenders).toEqual([]);
    const sqlReads = tsFiles(path.join(SRC, 'generate')).filter((f) => /['"](\.\.\/)+sql\//.test(readFileSync(f, 'utf8')));
    expect(sqlReads.map((f) => path.relative(SRC, f))).toEqual([]);
  });

  it('the checks catch a deep import: a file two folders down importing up is an edge of its top folder', () => {
    const text = "import { x } from '../../collectors/types.js';\nexport { y } from '../../store/open-store.js';\nconst z = await import('../../ingest/ingest-case.js');";
    expect(specifiers(text)).toEqual(['../../collectors/types.js', '../../store/open-store.js', '../../ingest/ingest-case.js']);
    const from = path.join(SRC, 'generate', 'emit', 'deep', 'x.ts');
    expect(topOf(from)).toBe('generate');
    expect(path.relative(SRC, path.resolve(path.dirname(from), '../../collectors/types.js')).split(path.sep)[0]).toBe('generate');
    expect(path.relative(SRC, path.resolve(path.dirname(from), '../../../collectors/types.js')).split(path.sep)[0]).toBe('collectors');
  });
});
