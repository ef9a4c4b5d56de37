/**
 * Module hooks that let plain node run the TypeScript loopback servers of test/servers in a process
 * of their own (the collection benchmark's remote side): `./x.js` resolves to `./x.ts` when only the
 * .ts exists, and .ts files are transpiled (types erased, nothing checked) with the project's own
 * TypeScript. Registered by ts-register.mjs (node --import).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:')) && context.parentURL?.endsWith('.ts')) {
    const ts = new URL(specifier.replace(/\.js$/, '.ts'), context.parentURL);
    if (existsSync(fileURLToPath(ts))) return { url: ts.href, shortCircuit: true };
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const text = await readFile(fileURLToPath(url), 'utf8');
  const out = ts.transpileModule(text, { fileName: fileURLToPath(url), compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false, isolatedModules: true } });
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
