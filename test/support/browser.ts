import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (what `.ci/run` installs); CHROMIUM_PATH points elsewhere. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const INSTALL_HINT =
  'install it with `sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH to a Chromium or Chrome binary';

/**
 * Why the browser tests cannot run here, or null when they can. On a developer machine without
 * Chromium they are skipped with this message; in CI (CI set) they never are: launching fails.
 */
export function browserSkipReason(): string | null {
  if (existsSync(chromiumPath) || process.env.CI) return null;
  return `no Chromium at ${chromiumPath}: ${INSTALL_HINT}`;
}

/** Chromium headless, as CI runs it (no sandbox: containers have no user namespaces). */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`The browser tests need Chromium at ${chromiumPath}: ${INSTALL_HINT}`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/**
 * Where the browser tests save their screenshots: SCREENSHOTS_DIR (relative to the repo root,
 * e.g. `docs/screenshots` from `npm run screenshots`), else a fresh temporary folder.
 */
export function screenshotDir(): { dir: string; temporary: boolean } {
  const wanted = process.env.SCREENSHOTS_DIR;
  if (wanted) {
    const dir = resolve(wanted);
    mkdirSync(dir, { recursive: true });
    return { dir, temporary: false };
  }
  return { dir: mkdtempSync(join(tmpdir(), 'parallax-screenshots-')), temporary: true };
}
