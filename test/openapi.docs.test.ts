import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';

// The reference page at /docs works with no internet: everything it loads comes from this
// service, and its Content-Security-Policy tells the browser to load nothing from elsewhere.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local' });
});
afterAll(async () => {
  await t.close();
});

/** Every src= and href= of an HTML page. */
const links = (html: string) =>
  [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((match) => match[1]!);

describe('GET /docs', () => {
  it('is an HTML page whose scripts, styles and icons are all same-origin files that answer 200', async () => {
    const response = await t.app.request('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).not.toMatch(/https?:\/\//);
    const urls = links(html);
    expect(urls.filter((url) => url.endsWith('.js'))).toHaveLength(2);
    expect(urls.filter((url) => url.endsWith('.css'))).toHaveLength(1);
    const expectedType = {
      js: /^text\/javascript/,
      css: /^text\/css/,
      png: /^image\/png$/,
      json: /^application\/json/,
    };
    for (const url of urls) {
      expect(url, 'a same-origin path').toMatch(/^\/(?!\/)/);
      const asset = await t.app.request(url);
      expect(asset.status, url).toBe(200);
      expect(asset.headers.get('content-type'), url).toMatch(
        expectedType[url.split('.').at(-1) as keyof typeof expectedType],
      );
      const body = await asset.arrayBuffer();
      expect(body.byteLength, url).toBeGreaterThan(300);
    }
  });

  it('renders the spec at /openapi.json, asking no online validator', async () => {
    const html = await (await t.app.request('/docs')).text();
    const initializer = links(html).find((url) => url.endsWith('swagger-initializer.js'))!;
    const script = await (await t.app.request(initializer)).text();
    expect(script).toContain("url: '/openapi.json'");
    expect(script).toContain('validatorUrl: null');
    expect(script).not.toMatch(/https?:\/\//);
  });

  it('lets the browser load nothing from another origin', async () => {
    const policy = (await t.app.request('/docs')).headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      policy
        .split(';')
        .map((part) => part.trim().split(/\s+/))
        .map(([name, ...values]) => [name, values]),
    );
    expect(directives['default-src']).toEqual(["'none'"]);
    for (const name of ['script-src', 'style-src', 'img-src', 'connect-src']) {
      expect(directives[name], name).toContain("'self'");
      expect(
        directives[name]!.every((source: string) =>
          ["'self'", "'unsafe-inline'", 'data:'].includes(source),
        ),
        `${name}: ${directives[name]}`,
      ).toBe(true);
    }
    expect(directives['script-src']).toEqual(["'self'"]);
  });

  it('serves only the files the page needs', async () => {
    for (const name of [
      'index.html',
      'swagger-ui.js.map',
      'package.json',
      '..%2Fpackage.json',
      '..%2F..%2Fpackage.json',
    ]) {
      expect((await t.app.request(`/docs/assets/${name}`)).status, name).toBe(404);
    }
  });
});
