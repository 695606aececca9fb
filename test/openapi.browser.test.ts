import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchChromium } from './support/browser.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';

// The API reference in a real browser (Debian's Chromium through playwright-core) against the
// real server: it renders every operation of the spec and runs a request from the page, while
// every request to another origin is refused, as it would fail with no internet. Skipped only
// off CI without Chromium, like test/web.browser.test.ts.

const skip = browserSkipReason();
if (skip) console.warn(`openapi.browser.test.ts skipped: ${skip}`);

describe.skipIf(skip !== null)('/docs in Chromium', () => {
  let server: ServerProcess;
  let browser: Browser;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parallax-docs-'));
    server = await spawnServer(['src/node.ts'], {
      PORT: '0',
      DATABASE_PATH: join(dir, 'parallax.sqlite'),
      LLM_PROVIDER: 'local',
    });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.process.kill('SIGTERM');
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders every operation offline, and Try it out runs a request', async () => {
    const origin = new URL(server.url).origin;
    const page = await browser.newPage();
    const elsewhere: string[] = [];
    const problems: string[] = [];
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
      elsewhere.push(url);
      return route.abort();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text()); // CSP violations are reported here too
    });
    page.on('pageerror', (error) => problems.push(error.message));

    await page.goto(`${server.url}/docs`);
    const spec = (await (await fetch(`${server.url}/openapi.json`)).json()) as {
      paths: Record<string, object>;
    };
    const operations = Object.values(spec.paths).reduce(
      (sum, methods) => sum + Object.keys(methods).length,
      0,
    );
    await expect.poll(() => page.locator('.opblock').count(), { timeout: 15_000 }).toBe(operations);
    await expect(page.locator('.info .title').innerText()).resolves.toContain('Parallax API');

    const prompts = page.locator('#operations-prompts-listPrompts');
    await prompts.locator('.opblock-summary').click();
    await prompts.getByRole('button', { name: 'Try it out' }).click();
    await prompts.getByRole('button', { name: 'Execute' }).click();
    const status = prompts.locator('.live-responses-table .response .response-col_status');
    await expect.poll(() => status.first().innerText(), { timeout: 10_000 }).toContain('200');
    await expect(
      prompts.locator('.live-responses-table .microlight').first().innerText(),
    ).resolves.toContain('brief@1');

    expect(elsewhere).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});
