import { z } from 'zod';
import { NoteKind, NOTE_KINDS } from '../briefs/schema.js';

/**
 * A prompt version's params (its front matter `params:`). They steer both providers:
 * the LLM through the rendered templates and the request, the offline analyst directly.
 */
export const PromptParams = z.strictObject({
  temperature: z.number().min(0).max(2).default(0.2),
  maxOutputTokens: z.number().int().min(256).max(32_000).default(2_000),
  /** Target length of the summary, in words. */
  summaryWords: z.number().int().min(20).max(1_000).default(150),
  maxKeyPoints: z.number().int().min(1).max(30).default(6),
  /** Upper bound on counter-perspective notes in the final brief. */
  maxNotes: z.number().int().min(0).max(50).default(8),
  /** Which note kinds this version asks for. */
  noteKinds: z
    .array(NoteKind)
    .min(1)
    .default([...NOTE_KINDS]),
  /** Partial briefs merged per reduce call (k of the reduce tree). */
  reduceFanIn: z.number().int().min(2).max(16).default(4),
  /**
   * Thresholds read by the offline analyst only (names documented in src/analyst/README.md);
   * an LLM never sees them.
   */
  analyst: z.record(z.string(), z.number()).default({}),
});
export type PromptParams = z.infer<typeof PromptParams>;

export const PromptFrontMatter = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  version: z.number().int().positive(),
  description: z.string().min(1),
  params: PromptParams,
});

/** One published prompt version, parsed from `prompts/<name>/v<N>.md`. */
export interface Prompt {
  name: string;
  version: number;
  /** `name@N`. */
  ref: string;
  description: string;
  params: PromptParams;
  /** `perspectives` only in versions that have that section. */
  templates: { system: string; map: string; reduce: string; perspectives?: string };
  /** sha256 (hex) of the file's exact bytes: what the lock file pins. */
  sha256: string;
  /** The file as written. */
  source: string;
}
