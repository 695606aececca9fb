import { z } from 'zod';
import { Citation } from '../briefs/schema.js';

/**
 * Perspectives across documents (issue 15): for each key claim of a document, how each other
 * document answers it.
 *
 * - `agrees`: the other document states the same thing (the same figure for the same quantity).
 * - `disputes`: it denies or rejects the claim.
 * - `differs`: it gives another figure, date or cause for the same thing, without saying the
 *   claim is wrong.
 * - `silent`: it says nothing a reader could match to the claim.
 */
export const MARKS = ['agrees', 'disputes', 'differs', 'silent'] as const;
export const Mark = z.enum(MARKS);
export type Mark = z.infer<typeof Mark>;

/** What a provider returns for one claim read against one other document's retrieved passages. */
export const ModelAlignment = z.object({
  responses: z
    .array(
      z.object({
        passage: z
          .number()
          .int()
          .describe('The number of the passage that answers the claim (1 = the first passage)'),
        mark: z.enum(['agrees', 'disputes', 'differs']),
        quote: z
          .string()
          .describe('A verbatim span of that passage, copied character for character'),
        note: z.string().describe('One neutral sentence: how the passage answers the claim'),
      }),
    )
    .describe('Passages that address the claim; empty when none does (the document is silent)'),
});
export type ModelAlignment = z.infer<typeof ModelAlignment>;

export const PerspectiveResponse = z
  .object({
    documentId: z.string(),
    mark: Mark,
    /** The other document's words, located in its own text; null when it is silent. */
    citation: Citation.nullable(),
    note: z.string(),
  })
  .meta({ id: 'PerspectiveResponse' });
export type PerspectiveResponse = z.infer<typeof PerspectiveResponse>;

export const PerspectiveClaim = z
  .object({
    documentId: z.string(),
    /** The claim as the document states it, located in its own text. */
    citation: Citation,
    /** One response per other document, in the order the documents were given. */
    responses: z.array(PerspectiveResponse),
  })
  .meta({ id: 'PerspectiveClaim' });
export type PerspectiveClaim = z.infer<typeof PerspectiveClaim>;

export const PerspectivesResult = z
  .object({ claims: z.array(PerspectiveClaim) })
  .meta({ id: 'PerspectivesResult' });
export type PerspectivesResult = z.infer<typeof PerspectivesResult>;

export const PERSPECTIVE_STATUSES = ['running', 'succeeded', 'failed'] as const;

/** Claims read so far (one provider call per claim and other document) out of all. */
export const PerspectivesProgress = z.object({
  done: z.number().int(),
  total: z.number().int(),
});
export type PerspectivesProgress = z.infer<typeof PerspectivesProgress>;
