/**
 * Perspectives offline (issue 15): two 10,000-word documents on one dispute, aligned by the
 * offline analyst through the real route (POST /v1/perspectives, in-process app, a temporary
 * SQLite file). Target: at most 2 s for a cold run. `npm run bench:perspectives`; prints a table.
 *
 * The documents are generated (deterministic), not copied: a statement and a reply about the
 * same invented closure, whose paragraphs state figures for the same quantities (the reply
 * gives other values and denies some), padded with on-topic prose so each reaches 10,000 words.
 * The cold time includes reading both documents, picking claims, retrieval, one analyst call
 * per claim and document, verification and storing; the warm time is the same request again
 * (answered from the perspectives cache).
 */
import { createTestApp } from '../test/support/app.js';
import { median } from './support/figure.js';

const WORDS = 10_000;
const ROUNDS = 3;
const quantities = ['jobs', 'berths', 'cranes', 'meetings', 'contracts', 'apprentices', 'shifts'];
const places = ['Calder Quay', 'Fenwick', 'Port Ardley', 'Harlow Basin', 'Meer Dock'];

function documentOf(side: 'statement' | 'reply', seed: number): string {
  const paragraphs: string[] = [];
  let words = 0;
  for (let i = 0; words < WORDS; i++) {
    const quantity = quantities[i % quantities.length]!;
    const place = places[(i + seed) % places.length]!;
    const value = 20 + ((i * 37) % 400);
    const sentences =
      side === 'statement'
        ? [
            `The closure at ${place} will affect ${value} ${quantity} in section ${i}.`,
            `The operator reviewed the ${quantity} at ${place} with the harbour board in quarter ${i}.`,
          ]
        : [
            `The closure at ${place} will affect ${value + (i % 3 === 0 ? 15 : 0)} ${quantity} in section ${i}, not ${value}.`,
            `The union was never consulted about the ${quantity} at ${place} in quarter ${i}.`,
          ];
    sentences.push(
      `Dock workers at ${place} described the shift pattern, the crane hours and the rota for weekend cover in detail, and the board noted the maintenance schedule for paragraph ${i}.`,
    );
    const paragraph = sentences.join(' ');
    words += paragraph.split(/\s+/).length;
    paragraphs.push(paragraph);
  }
  return `# ${side === 'statement' ? 'Operator statement' : 'Union reply'}\n\n${paragraphs.join('\n\n')}`;
}

const t = await createTestApp();
try {
  const store = async (text: string) => {
    const response = await t.app.request('/v1/documents', {
      method: 'POST',
      headers: { 'content-type': 'text/markdown' },
      body: text,
    });
    return ((await response.json()) as { id: string }).id;
  };
  const cold: number[] = [];
  const warm: number[] = [];
  let claims = 0;
  let calls = 0;
  for (let round_ = 0; round_ < ROUNDS; round_++) {
    // New documents each round (a different seed), so every cold run is cold.
    const documents = [
      await store(documentOf('statement', round_)),
      await store(documentOf('reply', round_)),
    ];
    const post = async () => {
      const started = performance.now();
      const response = await t.app.request('/v1/perspectives?wait=120', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documents }),
      });
      const view = (await response.json()) as {
        status: string;
        result: { claims: unknown[] } | null;
        usage: { calls: number } | null;
      };
      if (view.status !== 'succeeded') throw new Error(`perspectives ${view.status}`);
      claims = view.result!.claims.length;
      calls = view.usage?.calls ?? calls;
      return performance.now() - started;
    };
    cold.push(await post());
    warm.push(await post());
  }
  const table = [
    ['figure', 'value', 'target'],
    ['documents', `2 × ${WORDS.toLocaleString('en')} words`, ''],
    ['claims aligned (both documents)', String(claims), ''],
    ['analyst calls (cold)', String(calls), ''],
    [`cold run, median of ${ROUNDS} (ms)`, String(Math.round(median(cold))), '≤ 2000'],
    ['cold runs (ms)', cold.map((ms) => Math.round(ms)).join(', '), ''],
    ['repeat from the cache, median (ms)', String(Math.round(median(warm))), ''],
  ];
  for (const row of table) console.log(`| ${row.join(' | ')} |`);
  if (median(cold) > 2000) process.exitCode = 1;
} finally {
  await t.close();
}
