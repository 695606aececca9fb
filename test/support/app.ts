import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeRuntime } from '../../src/runtime-node.js';

/**
 * The real app over a real SQLite file migrated from migrations/, with the prompts on disk.
 * `env` is parsed by the same config schema as production. `workThread` runs the heavy work on a
 * worker thread, as a server does (src/runtime-node.ts); tests run it inline.
 */
export async function createTestApp(
  env: Record<string, string> = {},
  options: { workThread?: boolean } = {},
) {
  const dir = mkdtempSync(join(tmpdir(), 'parallax-test-'));
  const runtime = await createNodeRuntime(
    {
      LOG_LEVEL: 'silent',
      DATABASE_PATH: join(dir, 'test.sqlite'),
      ...env,
    },
    options,
  );
  const { app, deps, sqlite } = runtime;
  const count = (table: 'documents' | 'briefs' | 'llm_calls') =>
    (sqlite.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;

  return {
    app,
    deps,
    sqlite,
    rows: () => ({
      documents: count('documents'),
      briefs: count('briefs'),
      llmCalls: count('llm_calls'),
    }),
    postJson: (body: unknown, query = '') =>
      app.request(`/v1/briefs${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    async close() {
      await runtime.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/** A policy-style document of `paragraphs` distinct paragraphs, each a few sentences long. */
export function policyDocument(paragraphs: number, seed = 'housing'): string {
  const actors = [
    'The Ministry',
    'The Council',
    'Tenant groups',
    'The Treasury',
    'Local authorities',
    'Landlord associations',
  ];
  const out: string[] = [];
  for (let i = 0; i < paragraphs; i++) {
    const actor = actors[i % actors.length];
    out.push(
      `${actor} stated in section ${i + 1} that the ${seed} programme will deliver ${100 + i * 7} units by ${2030 + (i % 7)}. ` +
        `According to the department, costs will fall by ${(i * 3) % 40} percent in district ${i + 1}. ` +
        `Critics of item ${i + 1} argue that the figures rest on the department's own projections and have not been audited.`,
    );
  }
  return out.join('\n\n');
}
