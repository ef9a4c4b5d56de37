import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Root of the installed podtrail package (holds sql/, queries/, reports/). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface PackageJson {
  name: string;
  version: string;
}

const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as PackageJson;

export const TOOL_NAME: string = pkg.name;
export const TOOL_VERSION: string = pkg.version;
export const TOOL_ID = `${TOOL_NAME}/${TOOL_VERSION}`;
