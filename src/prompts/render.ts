import type { Messages, StageInput } from '../llm/provider.js';
import type { Prompt } from './prompt.js';
import { randomHex } from '../lib/hash.js';

/** The three stage sections every prompt file has, in file order. */
export const SECTIONS = ['system', 'map', 'reduce'] as const;
/**
 * Sections a version may add: `perspectives` reads one claim of a document against passages of
 * another (POST /v1/perspectives); a version without it cannot be used there.
 */
export const OPTIONAL_SECTIONS = ['perspectives'] as const;
export type Section = (typeof SECTIONS)[number] | (typeof OPTIONAL_SECTIONS)[number];

const PARAM_PLACEHOLDERS = [
  'fence',
  'summaryWords',
  'maxKeyPoints',
  'maxNotes',
  'noteKinds',
] as const;

/**
 * The placeholders each section may use. The system message carries instructions only, so
 * nothing a client supplies (title, document, partial briefs) is allowed there; chunk and
 * partial counts have no value in it either, since one system template serves both stages.
 */
export const SECTION_PLACEHOLDERS: Record<Section, readonly string[]> = {
  system: PARAM_PLACEHOLDERS,
  // `scope` says whole document or one part, and nothing more: a template that names the
  // chunk's position (chunkIndex, chunkCount) changes every map call's messages, and so its
  // cache key, whenever an edit adds or removes a chunk.
  map: [...PARAM_PLACEHOLDERS, 'title', 'document', 'scope', 'chunkIndex', 'chunkCount'],
  reduce: [...PARAM_PLACEHOLDERS, 'title', 'partials', 'partialCount'],
  perspectives: [...PARAM_PLACEHOLDERS, 'title', 'otherTitle', 'claim', 'passages', 'passageCount'],
};

/** Placeholders a section must use exactly once: the data it exists to deliver. */
const REQUIRED_ONCE: Record<Section, readonly string[]> = {
  system: [],
  map: ['document'],
  reduce: ['partials'],
  perspectives: ['claim', 'passages'],
};

const KNOWN = new Set(Object.values(SECTION_PLACEHOLDERS).flat());
const PLACEHOLDER = /\{\{([A-Za-z]+)\}\}/g;
const FENCE = /^[0-9a-f]{32}$/;

/**
 * The marker used when rendering only to compute a cache key, so that equal inputs give equal
 * messages. It is never sent to a model: the real call renders again with `newFence()`.
 */
export const FENCE_FOR_CACHE_KEY = '0'.repeat(32);

/** A fresh per-request marker: 32 lowercase hex characters (128 random bits, Web Crypto). */
export function newFence(): string {
  return randomHex(16);
}

/**
 * What is wrong with a section's template, as messages (empty when it is fine). Every `{{`
 * must open a known placeholder allowed in this section, so a typo fails at load time rather
 * than reaching a model as literal text.
 */
export function templateProblems(section: Section, template: string): string[] {
  const problems: string[] = [];
  const allowed = SECTION_PLACEHOLDERS[section];
  const counts = new Map<string, number>();
  for (let at = template.indexOf('{{'); at !== -1; at = template.indexOf('{{', at + 2)) {
    const match = /^\{\{([A-Za-z]+)\}\}/.exec(template.slice(at, at + 64));
    if (!match) {
      problems.push(`malformed placeholder at ${JSON.stringify(template.slice(at, at + 24))}`);
      continue;
    }
    const name = match[1]!;
    counts.set(name, (counts.get(name) ?? 0) + 1);
    if (!KNOWN.has(name)) {
      problems.push(`unknown placeholder {{${name}}} (known: ${[...KNOWN].join(', ')})`);
    } else if (!allowed.includes(name)) {
      const where = SECTIONS.filter((s) => SECTION_PLACEHOLDERS[s].includes(name)).join(' and ');
      problems.push(`placeholder {{${name}}} is not allowed here (only in ${where})`);
    }
  }
  for (const name of REQUIRED_ONCE[section]) {
    const count = counts.get(name) ?? 0;
    if (count !== 1)
      problems.push(`placeholder {{${name}}} must appear exactly once (found ${count})`);
  }
  return problems;
}

/**
 * Renders one stage call: the system template and the stage's (map, reduce or perspectives)
 * template. A perspectives call needs a version with that section (check `templates.perspectives`
 * before calling).
 *
 * Substitution is one pass over the template, so text inside a value (a document that itself
 * contains `{{title}}` or a fence-like line) is never expanded or read as structure: it is data.
 * The document and partial briefs are fenced by `fence`; the model is told that only lines
 * carrying this marker delimit data, and a document cannot guess a fresh random marker.
 */
export function renderStage(prompt: Prompt, input: StageInput, fence: string): Messages {
  if (!FENCE.test(fence)) throw new Error('fence must be 32 lowercase hex characters');
  const params = prompt.params;
  const common: Record<string, string> = {
    fence,
    summaryWords: String(params.summaryWords),
    maxKeyPoints: String(params.maxKeyPoints),
    maxNotes: String(params.maxNotes),
    noteKinds: params.noteKinds.join(', '),
  };
  const system = fill(prompt.templates.system, common);
  if (input.stage === 'map') {
    const user = fill(prompt.templates.map, {
      ...common,
      title: renderTitle(input.title),
      document: fenced('DOCUMENT', fence, input.chunk.text),
      // ChunkInput.index is 0-based (as chunkText numbers chunks); people count from 1.
      chunkIndex: String(input.chunk.index + 1),
      // Unknown while the document is still being cut, for a template without it (mapReduce).
      ...(input.chunkCount === undefined ? {} : { chunkCount: String(input.chunkCount) }),
      scope: input.chunkCount === 1 ? 'the whole document' : 'one part of a longer document',
    });
    return { system, user };
  }
  if (input.stage === 'perspectives') {
    const template = prompt.templates.perspectives;
    if (!template) throw new Error(`${prompt.ref} has no perspectives section`);
    const passages = input.passages.map((passage, index) => ({
      passage: index + 1,
      text: passage.text,
    }));
    const user = fill(template, {
      ...common,
      title: renderTitle(input.title),
      otherTitle: renderTitle(input.otherTitle),
      claim: fenced('CLAIM', fence, input.claim.text),
      // Compact JSON, one line: no line of it can look like a fence.
      passages: fenced('PASSAGES', fence, JSON.stringify(passages)),
      passageCount: String(passages.length),
    });
    return { system, user };
  }
  const user = fill(prompt.templates.reduce, {
    ...common,
    title: renderTitle(input.title),
    // Compact JSON: fewer tokens, and no newline inside it, so no line of it can look like a fence.
    partials: fenced('PARTIALS', fence, JSON.stringify(input.partials)),
    partialCount: String(input.partials.length),
  });
  return { system, user };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(PLACEHOLDER, (_match, name: string) => {
    const value = values[name];
    // Unreachable for a parsed prompt: templateProblems() ran at load time.
    if (value === undefined)
      throw new Error(`placeholder {{${name}}} has no value in this section`);
    return value;
  });
}

function fenced(
  kind: 'DOCUMENT' | 'PARTIALS' | 'CLAIM' | 'PASSAGES',
  fence: string,
  data: string,
): string {
  // A real marker is random per request, so data cannot contain it; the cache-key marker is a
  // constant a document could contain, but that rendering is never sent to a model.
  if (fence !== FENCE_FOR_CACHE_KEY && data.includes(fence)) {
    throw new Error('the data contains the fence marker; render again with a new fence');
  }
  return `-----BEGIN ${kind} ${fence}-----\n${data}\n-----END ${kind} ${fence}-----`;
}

const MAX_TITLE_CHARS = 300;

/**
 * The client's title sits outside the fence, so it is reduced to one line (it cannot forge a
 * fence line), capped, and quoted as a JSON string so its extent is unambiguous.
 */
function renderTitle(title: string | null): string {
  const line = (title ?? '').replace(/\s+/g, ' ').trim();
  if (!line) return '(none)';
  return JSON.stringify(
    line.length > MAX_TITLE_CHARS ? `${line.slice(0, MAX_TITLE_CHARS)}…` : line,
  );
}
