import { readFileSync } from 'node:fs';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './support/app.js';
import type { OpenApiSpec } from './support/openapi.js';

// The spec documents every route of the API and nothing else: /v1, /healthz, /openapi.json and
// /docs. The web UI's pages (GET / and the pages under it) are not part of the API.

let t: TestApp;
let spec: OpenApiSpec;
beforeAll(async () => {
  t = await createTestApp({ LLM_PROVIDER: 'local' });
  const response = await t.app.request('/openapi.json');
  expect(response.status).toBe(200);
  spec = (await response.json()) as OpenApiSpec;
});
afterAll(async () => {
  await t.close();
});

const isApiPath = (path: string) =>
  path.startsWith('/v1/') ||
  ['/healthz', '/openapi.json', '/docs'].includes(path) ||
  path.startsWith('/docs/');
/** hono's `/v1/briefs/:id` as OpenAPI writes it: `/v1/briefs/{id}`. */
const template = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

describe('GET /openapi.json', () => {
  it('documents every API route the app has, and no route it lacks', () => {
    const specRoutes = Object.entries(spec.paths).flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const appRoutes = t.app.routes
      .filter((route) => route.method !== 'ALL' && !route.path.endsWith('*')) // middleware: app.use, or app.on for some methods
      .map((route) => `${route.method} ${template(route.path)}`)
      .filter((route) => isApiPath(route.split(' ')[1]!) || specRoutes.includes(route));
    expect(appRoutes.length).toBeGreaterThanOrEqual(15);
    expect([...new Set(appRoutes)].sort()).toEqual([...new Set(specRoutes)].sort());
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    expect(spec.openapi).toBe('3.1.0');
    const result = await new Validator().validate(structuredClone(spec));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('holds only valid JSON Schema 2020-12 (the dialect of OpenAPI 3.1), which the OpenAPI check above does not look into', () => {
    const ajv = new Ajv2020({ strict: false });
    const schemas: [string, unknown][] = Object.entries(spec.components.schemas);
    const collect = (value: unknown, where: string): void => {
      if (!value || typeof value !== 'object') return;
      for (const [key, child] of Object.entries(value)) {
        if (key === 'schema' || key === 'x-event-data') schemas.push([`${where}/${key}`, child]);
        else collect(child, `${where}/${key}`);
      }
    };
    collect(spec.paths, '#/paths');
    expect(schemas.length).toBeGreaterThan(50);
    for (const [where, schema] of schemas)
      expect(ajv.validateSchema(schema as object), `${where}: ${ajv.errorsText()}`).toBe(true);
  });

  it('names the service and its version, and binds to no server', () => {
    const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string })
      .version;
    expect(spec.info).toMatchObject({ title: 'Parallax API', version });
    expect(spec).not.toHaveProperty('servers');
  });

  it('asks for the bearer token on writes only, and tags every operation with a declared tag', () => {
    expect(spec.components.securitySchemes.bearerAuth).toMatchObject({
      type: 'http',
      scheme: 'bearer',
    });
    const tags = (spec.tags as { name: string }[]).map((tag) => tag.name);
    const operationIds: string[] = [];
    for (const [path, operations] of Object.entries(spec.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        operationIds.push(operation.operationId);
        expect(operation.security, `${method} ${path}`).toEqual(
          method === 'get' ? undefined : [{ bearerAuth: [] }],
        );
        expect(operation.tags, `${method} ${path}`).toEqual([expect.toBeOneOf(tags)]);
        if (method !== 'get')
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '413']));
        if (path.startsWith('/v1/'))
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['429', '500']));
      }
    }
    expect(new Set(operationIds).size).toBe(operationIds.length);
  });

  it('documents the error body and every error code', () => {
    const error = JSON.stringify(spec.components.schemas.Error);
    for (const code of [
      'invalid_request',
      'unauthorized',
      'not_found',
      'unknown_prompt',
      'payload_too_large',
      'unsupported_media_type',
      'rate_limited',
      'llm_invalid_output',
      'llm_unavailable',
      'internal',
    ]) {
      expect(error).toContain(`"${code}"`);
    }
    const create = spec.paths['/v1/briefs']!.post!;
    expect(Object.keys(create.requestBody!.content).sort()).toEqual([
      'application/json',
      'application/octet-stream',
      'application/pdf',
      'multipart/form-data',
      'text/html',
      'text/markdown',
      'text/plain',
    ]);
    expect(Object.keys(create.responses).sort()).toEqual([
      '200',
      '201',
      '202',
      '400',
      '401',
      '404',
      '413',
      '415',
      '429',
      '500',
      '502',
      '503',
    ]);
    expect(
      Object.keys(spec.paths['/v1/briefs/{id}/events']!.get!.responses['200']!.content!),
    ).toEqual(['text/event-stream']);
  });
});
