import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBrief } from '../src/briefs/schema.js';
import { policyDocument } from './support/app.js';
import { browserSkipReason, launchChromium, screenshotDir } from './support/browser.js';
import { makePdf, PDF_PAGES } from './support/documents.js';
import {
  fakeModel,
  startLlmServer,
  type ChatRequest,
  type LlmServer,
} from './support/llm-server.js';
import { spawnServer, type ServerProcess } from './support/server-process.js';

// The web UI end to end in a real browser: Chromium (Debian's, through playwright-core) against
// the real server process, which briefs with the openai provider against the test LLM server.
// Its calls take LATENCY_MS one at a time, so a brief of several chunks takes seconds and the
// progress the page shows is the pipeline's own. Skipped only off CI without Chromium.

const skip = browserSkipReason();
if (skip) console.warn(`web.browser.test.ts skipped: ${skip}`);

const LATENCY_MS = 300;
const TITLE = 'Housing programme statement';
const DOCUMENT = policyDocument(14);
/** Opens the first chunk only: the fake model adds the invented quote to that chunk's brief. */
const FIRST_CHUNK = 'The Ministry stated in section 1 that';
/** A quote the document does not contain, with markup that must reach the page as text. */
const INVENTED =
  'Every resident will ride the trains for free <img src=x onerror="window.pwned=1"> from next year.';

/**
 * The test model: the fake's verbatim quotes, plus the invented one in the first chunk; with
 * brief@2 (told apart by its system prompt) it words the summary differently, keeps fewer key
 * points and writes other notes, so the compare page has something to show.
 */
function testModel(body: ChatRequest): ModelBrief {
  const brief = fakeModel(body);
  const user = body.messages?.find((message) => message.role === 'user')?.content ?? '';
  if (!/-----BEGIN DOCUMENT [0-9a-f]{32}-----/.test(user)) return brief;
  if (user.includes(FIRST_CHUNK))
    brief.keyPoints.unshift({
      text: 'The document promises free travel.',
      citations: [{ quote: INVENTED }],
    });
  const system = body.messages?.find((message) => message.role === 'system')?.content ?? '';
  if (system.includes('Rule 1: every sentence names its source')) {
    brief.summary = brief.summary.replace('The document states:', 'According to the document,');
    brief.keyPoints.pop();
    for (const note of brief.counterPerspectives)
      note.note = 'Only the department itself is given as the source of this figure.';
  }
  return brief;
}

describe.skipIf(skip !== null)('the web UI in Chromium', () => {
  let llm: LlmServer;
  let server: ServerProcess;
  let browser: Browser;
  let page: Page;
  let dir: string;
  let shots: ReturnType<typeof screenshotDir>;
  const url = (path: string) => `${server.url}${path}`;

  beforeAll(async () => {
    browser = await launchChromium(); // first: in CI without Chromium, this is the failure to see
    dir = mkdtempSync(join(tmpdir(), 'parallax-web-'));
    shots = screenshotDir();
    llm = await startLlmServer({ latencyMs: LATENCY_MS, handler: testModel });
    server = await spawnServer(['src/node.ts'], {
      PORT: '0',
      DATABASE_PATH: join(dir, 'parallax.sqlite'),
      OPENAI_BASE_URL: llm.url,
      LLM_MODEL: 'test-model',
      CHUNK_TOKENS: '200',
      CHUNK_OVERLAP_TOKENS: '20',
      LLM_CONCURRENCY: '1',
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.process.kill('SIGTERM');
    await llm?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (shots?.temporary) rmSync(shots.dir, { recursive: true, force: true });
  }, 30_000);

  let briefUrl = '';

  it('submits pasted text, shows live progress, then the brief with its summary, key points and notes', async () => {
    await page.goto(url('/'));
    expect(await unlabelledControls(page)).toEqual([]);
    await page.getByLabel('Paste the text').fill(DOCUMENT);
    await page.getByLabel('Title (optional)').fill(TITLE);
    await page.getByLabel('Prompt version').selectOption('brief@2');
    // A language model is configured, so both providers are offered, the model first; the model field is empty for its default.
    expect(await page.getByLabel('Provider').locator('option').allTextContents()).toEqual([
      'openai: the language model endpoint',
      'local: the offline analyst',
    ]);
    expect(await page.getByLabel('Provider').inputValue()).toBe('openai');
    expect(await page.getByLabel('Model (optional)').getAttribute('placeholder')).toBe(
      'test-model for openai, analyst-3 for local',
    );
    await page.getByRole('button', { name: 'Make the brief' }).click();

    // The brief takes seconds: the page opens on its progress, fed by the event stream.
    await page.waitForURL(/\/briefs\/brf_[0-9a-f]{24}$/);
    briefUrl = page.url();
    const stage = page.locator('.progress [data-stage]');
    await expect
      .poll(() => stage.textContent(), { timeout: 15_000 })
      .toMatch(/Reading the document: [1-9]\d* of \d+ chunks done/);
    const bar = await page
      .locator('.progress progress')
      .evaluate((element: HTMLProgressElement) => ({ value: element.value, max: element.max }));
    expect(bar.max).toBeGreaterThan(3);
    expect(bar.value).toBeGreaterThan(0);
    expect(bar.value).toBeLessThanOrEqual(bar.max);

    // When it finishes the page reloads itself and shows the brief.
    await page.getByRole('heading', { name: 'Summary' }).waitFor({ timeout: 30_000 });
    expect(await page.locator('.progress').count()).toBe(0);
    expect(await page.locator('.summary').textContent()).toContain('According to the document,');
    expect(await page.locator('ol.points > li').count()).toBeGreaterThan(2);
    expect(await page.locator('ul.notes > li').count()).toBeGreaterThan(0);
    expect(await page.getByRole('heading', { name: 'Source text' }).count()).toBe(1);
    expect(await page.locator('dl.meta').textContent()).toContain('brief@2');
  });

  it('highlights the quoted span in the source when a citation is clicked, and marks the unverified quote', async () => {
    const link = page.locator('a.cite').nth(1);
    const quote = await link.locator('q').textContent();
    await link.click();
    await expect.poll(() => page.evaluate(() => window.location.hash)).toMatch(/^#q-\d+$/);
    const highlighted = await page
      .locator('.q.hl')
      .evaluateAll((elements) => elements.map((element) => element.textContent).join(''));
    expect(highlighted).toBe(quote);
    expect(DOCUMENT).toContain(quote);
    // The :target fallback (no script) points at the same span.
    expect(await page.locator('.q:target').textContent()).toBe(quote);

    // The invented quote: not a link, labelled in words, its markup shown as text and never run.
    const unverified = page.locator('.unverified');
    expect(await unverified.count()).toBe(1);
    expect(await unverified.locator('strong').textContent()).toBe('Not found in the source');
    expect(await unverified.locator('q').textContent()).toBe(INVENTED);
    expect(await unverified.locator('a, img').count()).toBe(0);
    expect(
      await page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
    ).toBeUndefined();
    expect(await page.locator('main img').count()).toBe(0);
    await page.screenshot({ path: join(shots.dir, 'brief.png') });
  });

  it('is usable by keyboard: Tab reaches a citation, Enter highlights its span; focus is visible', async () => {
    await page.goto(briefUrl);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let onCitation = false;
    for (let i = 0; i < 40 && !onCitation; i++) {
      await page.keyboard.press('Tab');
      onCitation = await page.evaluate(() => document.activeElement?.matches('a.cite') ?? false);
    }
    expect(onCitation).toBe(true);
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement!).outlineStyle,
    );
    expect(outline).not.toBe('none');
    const quote = await page.evaluate(
      () => document.activeElement!.querySelector('q')!.textContent,
    );
    await page.keyboard.press('Enter');
    await expect
      .poll(() =>
        page
          .locator('.q.hl')
          .evaluateAll((elements) => elements.map((element) => element.textContent).join('')),
      )
      .toBe(quote);
    expect(await unlabelledControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
  });

  it('compares brief@1 with brief@2: makes the missing version, then shows the summary diff and kept / added / dropped marks', async () => {
    await page.getByLabel('Compare version').selectOption('brief@1');
    await page.getByLabel('with version').selectOption('brief@2');
    await page.getByRole('button', { name: 'Compare' }).click();
    await page.waitForURL(/\/compare\?/);
    expect(await page.locator('main').textContent()).toContain(
      'no brief@1 brief with openai / test-model yet',
    );

    await page.getByRole('button', { name: /Make the brief@1 brief and compare/ }).click();
    await page.waitForURL(/\/compare\?/);
    expect(await page.locator('.progress[data-events]').count()).toBe(1);
    await page
      .getByRole('heading', { name: 'Summary: what changed from A to B' })
      .waitFor({ timeout: 30_000 });

    expect(await page.locator('h1').textContent()).toBe('brief@1 vs brief@2');
    const diff = page.locator('[data-testid="summary-diff"]');
    expect(await diff.locator('del').count()).toBeGreaterThan(0);
    expect(await diff.locator('ins').count()).toBeGreaterThan(0);
    expect((await diff.locator('ins').allTextContents()).join(' ')).toContain('According');
    // The two summaries side by side: A's marks what B dropped, B's what it added.
    expect(await page.locator('[data-testid="summary-a"] ins').count()).toBe(0);
    expect(await page.locator('[data-testid="summary-b"] del').count()).toBe(0);
    const [boxA, boxB] = await Promise.all(
      ['a', 'b'].map((side) => page.locator(`[data-testid="summary-${side}"]`).boundingBox()),
    );
    expect(boxB!.x).toBeGreaterThan(boxA!.x + boxA!.width - 1);
    expect(Math.abs(boxB!.y - boxA!.y)).toBeLessThan(2);
    for (const status of ['kept', 'added', 'dropped', 'changed']) {
      const marked = page.locator(`.pair[data-status="${status}"]`);
      expect(await marked.count(), status).toBeGreaterThan(0);
      expect(await marked.first().locator('.mark').textContent()).toBe(
        status[0]!.toUpperCase() + status.slice(1),
      );
    }
    // A dropped item shows only A's side; an added one only B's.
    expect(await page.locator('.pair[data-status="dropped"]').first().textContent()).toContain(
      'A (brief@1)',
    );
    expect(await page.locator('.pair[data-status="added"]').first().textContent()).not.toContain(
      'A (brief@1)',
    );
    expect(await lowContrast(page)).toEqual([]);
    await page.screenshot({ path: join(shots.dir, 'compare.png') });

    // Readable on a phone: nothing wider than the screen.
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await page.goto(briefUrl);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      375,
    );
    await page.setViewportSize({ width: 1280, height: 900 });
  }, 60_000);

  it('uploads a PDF and briefs its text, citing pages', async () => {
    const pdf = await makePdf(PDF_PAGES, 'Water reform note');
    await page.goto(url('/'));
    await page.getByLabel('Or upload a file').setInputFiles({
      name: 'water-reform.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(pdf),
    });
    await page.getByRole('button', { name: 'Make the brief' }).click();
    await page.waitForURL(/\/briefs\/brf_[0-9a-f]{24}$/);
    await page.getByRole('heading', { name: 'Summary' }).waitFor({ timeout: 15_000 });
    expect(await page.locator('main > p.hint').first().textContent()).toBe('Water reform note');
    expect(await page.locator('#source-text').textContent()).toContain(PDF_PAGES[1]![0]!);
    expect(await page.locator('.page').first().textContent()).toMatch(/page \d/);
  });

  it('refuses a form with neither text nor file, keeping what was typed', async () => {
    await page.goto(url('/'));
    await page.getByLabel('Title (optional)').fill('Nothing <b>here</b>');
    const response = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith('/briefs')),
      page.getByRole('button', { name: 'Make the brief' }).click(),
    ]);
    expect(response[0].status()).toBe(400);
    expect(await page.getByRole('alert').textContent()).toContain(
      'Paste the document’s text or choose a file',
    );
    expect(await page.getByLabel('Title (optional)').inputValue()).toBe('Nothing <b>here</b>');
  });

  it('lists the briefs and filters them by document, prompt version, model and status', async () => {
    await page.goto(url('/briefs'));
    expect(await unlabelledControls(page)).toEqual([]);
    const rows = page.locator('tbody tr');
    expect(await rows.count()).toBe(3);

    await page.getByLabel('Prompt version').selectOption('brief@1');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/prompt=brief%401/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain(TITLE);

    await page.goto(url('/briefs'));
    await page
      .getByLabel('Document')
      .selectOption({ label: await documentOption(page, 'Water reform note') });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/document=[0-9a-f]{64}/);
    expect(await rows.count()).toBe(1);
    expect(await rows.first().textContent()).toContain('Water reform note');

    await page.goto(url('/briefs'));
    await page.getByLabel('Model').fill('another-model');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/model=another-model/);
    expect(await page.locator('main').textContent()).toContain('No brief matches these filters.');

    await page.goto(url('/briefs?status=succeeded&model=test-model'));
    expect(await rows.count()).toBe(3);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/status=failed/);
    expect(await rows.count()).toBe(0);

    await page.locator('a', { hasText: 'Clear filters' }).click();
    await page.locator('tbody tr a', { hasText: TITLE }).first().click();
    await page.waitForURL(/\/briefs\/brf_/);
  });

  it('saved the screenshots of the brief and compare pages', () => {
    for (const name of ['brief.png', 'compare.png']) {
      const png = readFileSync(join(shots.dir, name));
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.length).toBeGreaterThan(20_000);
    }
  });
});

/** Form controls (not hidden) with no label, aria-label or aria-labelledby: their ids or names. */
function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll<HTMLInputElement>('input, select, textarea'))
      .filter((control) => control.type !== 'hidden')
      .filter(
        (control) =>
          (control.labels?.length ?? 0) === 0 &&
          !control.getAttribute('aria-label') &&
          !control.getAttribute('aria-labelledby'),
      )
      .map((control) => control.id || control.name),
  );
}

/** The picker option for a document title (its label also carries the start of the id). */
async function documentOption(page: Page, title: string): Promise<string> {
  const labels = await page.locator('#filter-document option').allTextContents();
  const label = labels.find((text) => text.startsWith(`${title} (`));
  if (!label) throw new Error(`no document option for ${title} in ${labels.join(', ')}`);
  return label;
}

/**
 * Text elements whose colour is below WCAG AA contrast (4.5:1) on their background, as the
 * browser computes both; the background is the nearest opaque one up the tree.
 */
function lowContrast(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const rgb = (value: string) => (value.match(/[\d.]+/g) ?? []).map(Number);
    const luminance = ([r, g, b]: number[]) => {
      const channel = (c: number) =>
        (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      return 0.2126 * channel(r!) + 0.7152 * channel(g!) + 0.0722 * channel(b!);
    };
    const background = (element: Element | null): number[] => {
      for (let node = element; node; node = node.parentElement) {
        const color = rgb(getComputedStyle(node).backgroundColor);
        if (color.length === 3 || color[3] === 1) return color.slice(0, 3);
      }
      return [255, 255, 255];
    };
    const problems: string[] = [];
    for (const element of Array.from(document.querySelectorAll('main *, header *, footer *'))) {
      const own = Array.from(element.childNodes).some(
        (node) => node.nodeType === Node.TEXT_NODE && node.textContent!.trim(),
      );
      if (!own) continue;
      const fg = luminance(rgb(getComputedStyle(element).color));
      const bg = luminance(background(element));
      const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
      if (ratio < 4.5)
        problems.push(`${element.tagName.toLowerCase()}.${element.className}: ${ratio.toFixed(2)}`);
    }
    return problems;
  });
}
