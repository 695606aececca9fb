import type { Analysis, Sentence } from './nlp.js';
import type { Settings } from './params.js';

/** A unit-length tf-idf vector over the chunk's vocabulary. */
export interface SparseVector {
  ids: Int32Array;
  weights: Float64Array;
}

export interface Ranking {
  /** Summary candidates (sentence indexes), best first. */
  order: number[];
  score: Float64Array;
  vectors: SparseVector[];
}

/**
 * Scores every sentence of a chunk by four general features (no genre rules):
 * - centrality: continuous LexRank (PageRank over cosine similarities of tf-idf vectors);
 * - position: early sentences and the first sentence of each section weigh more;
 * - coverage: how much of the chunk's most salient vocabulary a sentence carries;
 * - title: overlap with the document title, when there is one.
 *
 * The similarity matrix W = V·Vᵀ is never built. With unit vectors, row sums and the PageRank
 * step are both products with a vocabulary-sized vector (Σ v_j·x_j), so one iteration costs
 * O(non-zeros) instead of O(n²), and the whole ranking grows linearly with the chunk.
 */
export function rankSentences(
  analysis: Analysis,
  titleTerms: readonly string[],
  settings: Settings,
): Ranking {
  const sentences = analysis.sentences;
  const vocabulary = new Map<string, number>();
  const df: number[] = [];
  const tf: number[] = [];
  for (const sentence of sentences) {
    const seen = new Set<number>();
    for (const term of sentence.terms) {
      let id = vocabulary.get(term);
      if (id === undefined) {
        id = vocabulary.size;
        vocabulary.set(term, id);
        df.push(0);
        tf.push(0);
      }
      tf[id]!++;
      if (!seen.has(id)) df[id]!++;
      seen.add(id);
    }
  }
  const n = Math.max(1, sentences.length);
  const idf = df.map((d) => Math.log((n + 1) / (d + 0.5)));
  const vectors = sentences.map((sentence) => vectorOf(sentence, vocabulary, idf));
  const centrality = lexRank(vectors, vocabulary.size);
  const keyword = keywordWeights(tf, idf, df);
  const title = new Set(
    titleTerms.map((term) => vocabulary.get(term)).filter((id) => id !== undefined),
  );

  const candidates = sentences.filter((s) => isCandidate(s, settings));
  const features = candidates.map((s) => ({
    centrality: centrality[s.index]!,
    position: positionOf(s, analysis.text.length),
    coverage: coverageOf(vectors[s.index]!, keyword, s.words),
    title: title.size === 0 ? 0 : overlap(vectors[s.index]!, title),
  }));
  const max = { centrality: 1e-9, position: 1e-9, coverage: 1e-9, title: 1e-9 };
  for (const f of features)
    for (const key of Object.keys(max) as Array<keyof typeof max>)
      max[key] = Math.max(max[key], f[key]);
  const titleWeight = title.size === 0 ? 0 : settings.titleWeight;
  const coverageWeight = settings.coverageWeight + (settings.titleWeight - titleWeight);
  const score = new Float64Array(sentences.length);
  candidates.forEach((s, k) => {
    const f = features[k]!;
    score[s.index] =
      (settings.centralityWeight * f.centrality) / max.centrality +
      (settings.positionWeight * f.position) / max.position +
      (coverageWeight * f.coverage) / max.coverage +
      (titleWeight * f.title) / max.title;
    if (/\?\s*$/.test(s.text)) score[s.index]! *= 0.5; // rhetorical questions inform little
  });
  const order = candidates.map((s) => s.index).sort((a, b) => score[b]! - score[a]! || a - b);
  return { order, score, vectors };
}

function isCandidate(sentence: Sentence, settings: Settings): boolean {
  return (
    !sentence.heading &&
    !sentence.opaque &&
    sentence.words >= settings.minSentenceWords &&
    sentence.terms.length >= 2
  );
}

function vectorOf(
  sentence: Sentence,
  vocabulary: Map<string, number>,
  idf: number[],
): SparseVector {
  const counts = new Map<number, number>();
  for (const term of sentence.terms) {
    const id = vocabulary.get(term)!;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ids = Int32Array.from([...counts.keys()].sort((a, b) => a - b));
  const weights = Float64Array.from(ids, (id) => (1 + Math.log(counts.get(id)!)) * idf[id]!);
  const norm = Math.hypot(...weights) || 1;
  for (let k = 0; k < weights.length; k++) weights[k]! /= norm;
  return { ids, weights };
}

export function cosine(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let sum = 0;
  while (i < a.ids.length && j < b.ids.length) {
    const x = a.ids[i]!;
    const y = b.ids[j]!;
    if (x === y) sum += a.weights[i++]! * b.weights[j++]!;
    else if (x < y) i++;
    else j++;
  }
  return sum;
}

function dotDense(v: SparseVector, dense: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < v.ids.length; k++) sum += v.weights[k]! * dense[v.ids[k]!]!;
  return sum;
}

function addDense(dense: Float64Array, v: SparseVector, factor: number): void {
  for (let k = 0; k < v.ids.length; k++) dense[v.ids[k]!]! += v.weights[k]! * factor;
}

/** Continuous LexRank, damping 0.85, self-similarity excluded; returns scores summing to 1. */
function lexRank(vectors: SparseVector[], dimensions: number, iterations = 30): Float64Array {
  const n = vectors.length;
  const rank = new Float64Array(n).fill(1 / Math.max(1, n));
  if (n === 0) return rank;
  const total = new Float64Array(dimensions);
  for (const v of vectors) addDense(total, v, 1);
  const self = vectors.map((v) => (v.ids.length > 0 ? 1 : 0));
  const degree = vectors.map((v, i) => Math.max(0, dotDense(v, total) - self[i]!));
  const damping = 0.85;
  for (let iteration = 0; iteration < iterations; iteration++) {
    const flow = new Float64Array(dimensions);
    for (let j = 0; j < n; j++)
      if (degree[j]! > 1e-12) addDense(flow, vectors[j]!, rank[j]! / degree[j]!);
    let sum = 0;
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const own = degree[i]! > 1e-12 ? (self[i]! * rank[i]!) / degree[i]! : 0;
      next[i] = (1 - damping) / n + damping * Math.max(0, dotDense(vectors[i]!, flow) - own);
      sum += next[i]!;
    }
    for (let i = 0; i < n; i++) rank[i] = next[i]! / sum;
  }
  return rank;
}

/** Salient vocabulary: frequent terms that are not everywhere (tf·idf), the top √V of them. */
function keywordWeights(tf: number[], idf: number[], df: number[]): Float64Array {
  const weights = new Float64Array(tf.length);
  const ids = tf.map((_, id) => id).filter((id) => df[id]! >= 2);
  ids.sort((a, b) => tf[b]! * idf[b]! - tf[a]! * idf[a]! || a - b);
  const keep = Math.max(10, Math.ceil(Math.sqrt(tf.length)));
  for (const id of ids.slice(0, keep)) weights[id] = tf[id]! * idf[id]!;
  return weights;
}

/** Keyword mass per word, softened so long sentences are neither favoured nor barred. */
function coverageOf(v: SparseVector, keyword: Float64Array, words: number): number {
  let sum = 0;
  for (const id of v.ids) sum += keyword[id]!;
  return sum / Math.sqrt(Math.max(8, words));
}

function overlap(v: SparseVector, title: Set<number>): number {
  let hits = 0;
  for (const id of v.ids) if (title.has(id)) hits++;
  return hits / Math.sqrt(title.size * Math.max(1, v.ids.length));
}

function positionOf(sentence: Sentence, length: number): number {
  const lead = 1 / (1 + (8 * sentence.start) / Math.max(1, length));
  const sectionStart = sentence.inSection === 0 ? 0.3 : sentence.inSection === 1 ? 0.15 : 0;
  return lead + sectionStart;
}

/**
 * Maximal marginal relevance: repeatedly takes the best remaining sentence after a penalty
 * for its similarity to those already taken. Looks at the top `pool` candidates only.
 */
export function mmr(ranking: Ranking, count: number, redundancy: number, pool = 400): number[] {
  const candidates = ranking.order.slice(0, pool);
  const chosen: number[] = [];
  const maxSimilarity = new Float64Array(candidates.length);
  const taken = new Uint8Array(candidates.length);
  while (chosen.length < count && chosen.length < candidates.length) {
    let best = -1;
    let bestValue = -Infinity;
    for (let k = 0; k < candidates.length; k++) {
      if (taken[k]) continue;
      const value = ranking.score[candidates[k]!]! - redundancy * maxSimilarity[k]!;
      if (value > bestValue) [best, bestValue] = [k, value];
    }
    if (best < 0 || maxSimilarity[best]! > 0.85) {
      if (best < 0) break;
      taken[best] = 1; // near-duplicate of a chosen sentence: never worth a place
      continue;
    }
    taken[best] = 1;
    const index = candidates[best]!;
    chosen.push(index);
    for (let k = 0; k < candidates.length; k++) {
      if (!taken[k])
        maxSimilarity[k] = Math.max(
          maxSimilarity[k]!,
          cosine(ranking.vectors[index]!, ranking.vectors[candidates[k]!]!),
        );
    }
  }
  return chosen;
}
