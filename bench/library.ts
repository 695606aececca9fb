/**
 * The library's figures (issue 15): a search over 10,000 generated documents (p50 ≤ 20 ms) and
 * related documents over the same library, on a temporary SQLite file through the real verbs
 * (`searchDocuments`, `relatedDocuments`), with the documents stored as POST /v1/documents
 * stores them. `npm run bench:library`; prints a table, figures only.
 *
 * The documents are generated, not copied: ~400 words each, drawn from a 20,000-word
 * vocabulary with Zipf frequencies (as in real text, a few words are everywhere and most are
 * rare), each about one of 2,000 "events" whose own names and figures recur in it. Queries are
 * one to three words of a random document, so every query has matches.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNodeDatabase } from '../src/db/node.js';
import { addDocument, type NewDocument, saveDocument } from '../src/documents/queries.js';
import { relatedDocuments } from '../src/documents/related.js';
import { searchDocuments } from '../src/documents/search.js';
import { normalizeText } from '../src/pipeline/normalize.js';
import { median, round } from './support/figure.js';

const DOCUMENTS = Number(process.env.LIBRARY_DOCUMENTS ?? 10_000);
const QUERIES = 300;

/** A small deterministic generator (mulberry32), so every run searches the same library. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const next = random(15);
const syllables = 'ka lo mi ne ru sa te vi do pa ri go me na su ta li be ko ra'.split(' ');
const word = (i: number) => {
  let out = '';
  for (let n = i + 1; n > 0; n = Math.floor(n / syllables.length))
    out += syllables[n % syllables.length];
  return out;
};
const vocabulary = Array.from({ length: 20_000 }, (_, i) => word(i + 400));
// Zipf: P(rank r) ∝ 1 / r, sampled through the cumulative weights.
const cumulative: number[] = [];
vocabulary.reduce((sum, _w, r) => (cumulative[r] = sum + 1 / (r + 1)), 0);
const zipf = () => {
  const target = next() * cumulative.at(-1)!;
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! < target) lo = mid + 1;
    else hi = mid;
  }
  return vocabulary[lo]!;
};
const capital = (w: string) => w[0]!.toUpperCase() + w.slice(1);

function documentText(event: number): string {
  const names = [0, 1, 2].map((k) => capital(word(50_000 + event * 3 + k)));
  const figure = `${((event * 37) % 900) + 100},000`;
  const sentences: string[] = [];
  for (let s = 0; s < 30; s++) {
    const words = Array.from({ length: 12 }, zipf);
    if (s % 3 === 0) words.splice(2, 0, names[s % 3]!);
    if (s % 7 === 0) words.push(figure);
    sentences.push(`${capital(words.join(' '))}.`);
  }
  return sentences.join(' ');
}

const folder = mkdtempSync(join(tmpdir(), 'parallax-bench-library-'));
const database = openNodeDatabase(join(folder, 'library.sqlite'));
const library = {
  db: database.db,
  normalize: async (text: string) => normalizeText(text),
  saveDocument: (document: NewDocument) => saveDocument(database, document),
};
try {
  const ids: string[] = [];
  const loadStarted = performance.now();
  for (let d = 0; d < DOCUMENTS; d++) {
    const event = d % 2_000;
    const { id } = await addDocument(library, {
      text: `${documentText(event)} Report ${d}.`,
      title: `Report ${d} on ${capital(word(50_000 + event * 3))}`,
      mediaType: 'text/plain',
    });
    ids.push(id);
  }
  const loadMs = performance.now() - loadStarted;

  const searchMs: number[] = [];
  let hits = 0;
  for (let q = 0; q < QUERIES; q++) {
    const words = documentText(Math.floor(next() * 2_000))
      .toLowerCase()
      .match(/\p{L}+/gu)!;
    const count = 1 + (q % 3);
    const at = Math.floor(next() * (words.length - count));
    const query = words.slice(at, at + count).join(' ');
    const started = performance.now();
    hits += (await searchDocuments(database, query, 10)).documents.length;
    searchMs.push(performance.now() - started);
  }
  const relatedMs: number[] = [];
  for (let q = 0; q < 50; q++) {
    const started = performance.now();
    await relatedDocuments(database, ids[Math.floor(next() * ids.length)]!, 5);
    relatedMs.push(performance.now() - started);
  }
  const p95 = (values: number[]) =>
    [...values].sort((a, b) => a - b)[Math.floor(values.length * 0.95)]!;
  console.log(`## Library (${DOCUMENTS.toLocaleString('en')} generated documents)\n`);
  console.log('| figure | value | target |\n|---|---:|---|');
  console.log(
    `| search, p50 (p95) of ${QUERIES} queries of 1–3 words, 10 results | **${round(median(searchMs), 1)} ms** (${round(p95(searchMs), 1)} ms; ${round(hits / QUERIES, 1)} results a query) | p50 ≤ 20 ms |`,
  );
  console.log(
    `| related documents, p50 (p95) of 50 | ${round(median(relatedMs), 1)} ms (${round(p95(relatedMs), 1)} ms) | reported |`,
  );
  console.log(
    `| adding the documents (indexed by the triggers) | ${round(loadMs / DOCUMENTS, 2)} ms each | reported |`,
  );
} finally {
  database.close();
  rmSync(folder, { recursive: true, force: true });
}
