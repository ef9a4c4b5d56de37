import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { chromium, type BrowserContext } from 'playwright-core';

/**
 * The browser the tests drive: Debian's chromium package through playwright-core (which never
 * downloads one). Missing, the browser tests skip with one notice, and fail when CI=true.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

export const hasChromium = existsSync(CHROMIUM);
export const hasPdftotext = spawnSync('pdftotext', ['-v'], { encoding: 'utf8' }).error === undefined;
export const inCi = process.env['CI'] === 'true';

let noticed = false;
/** One notice per run when a tool is missing outside CI. */
export function notice(what: string): void {
  if (noticed) return;
  noticed = true;
  process.stderr.write(`browser tests skipped: ${what} (apt-get install -y chromium poppler-utils; with CI=true they fail instead)\n`);
}

/** A fresh browser with its own profile folder, closed and removed by the returned close. */
export async function launch(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'podtrail-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1280, height: 900 }, offline: true });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
