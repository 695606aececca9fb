import { and, eq } from 'drizzle-orm';
import { perspectives, type PerspectivesRow } from '../db/schema.js';
import { takeTurn } from '../lib/wait.js';
import { LlmError, type Provider } from '../llm/provider.js';
import { emptyStats, type OutputSchema } from '../pipeline/llm-call-runner.js';
import { QuoteLocator } from '../pipeline/verify.js';
import type { Prompt } from '../prompts/prompt.js';
import { toBriefFailure } from '../briefs/run.js';
import type { PerspectivesContext } from './context.js';
import { idfOf, pickClaims, retrieve, type ReadDocument } from './passages.js';
import {
  ModelAlignment,
  type PerspectiveClaim,
  type PerspectiveResponse,
  type PerspectivesProgress,
  type PerspectivesResult,
} from './schema.js';

export const PERSPECTIVES_OUTPUT: OutputSchema<ModelAlignment> = {
  name: 'perspectives',
  zod: ModelAlignment,
};

export interface PerspectivesWork {
  documents: Array<{ id: string; title: string | null; text: string }>;
  prompt: Prompt;
  provider: Provider;
  model: string;
  onProgress?: (progress: PerspectivesProgress) => void;
  /** The queue message that holds the run (src/perspectives/queue.ts). */
  holder?: string | undefined;
}

/** How often, at most, a run writes its progress to its row (for followers in other processes). */
const PROGRESS_WRITE_MS = 250;

/**
 * Reads every claim of every document against each other document: claims and passages are
 * picked here (src/perspectives/passages.ts), each claim × other document with retrieved
 * passages is one provider call (through the LLM-call cache and its single-flight), a claim with
 * none is `silent` without a call. Quotes are then located in their own documents: the claim in
 * its document, each response in the other one; a quote not found is kept, `verified: false`.
 * Never throws: the outcome is written to the row, which it returns.
 */
export async function runPerspectives(
  context: PerspectivesContext,
  id: string,
  work: PerspectivesWork,
): Promise<PerspectivesRow | undefined> {
  const { db, runner, logger } = context;
  const stats = emptyStats();
  const started = performance.now();
  // On a queue, its writes land only while its message still holds the run (see RunJob.holder).
  const ours =
    work.holder === undefined
      ? eq(perspectives.id, id)
      : and(eq(perspectives.id, id), eq(perspectives.holder, work.holder));
  try {
    const read: ReadDocument[] = [];
    for (const document of work.documents) read.push(await context.readDocument(document));
    const idf = idfOf(read);
    await pickClaims(read, idf);
    const locators = new Map(read.map((d) => [d.id, new QuoteLocator(d.text)]));
    const tasks = read.flatMap((document) => document.claims.map((claim) => ({ document, claim })));
    const total = tasks.length * (read.length - 1);
    let done = 0;
    let written = 0;
    const progressed = async () => {
      done++;
      work.onProgress?.({ done, total });
      if (Date.now() - written < PROGRESS_WRITE_MS && done < total) return;
      written = Date.now();
      await db
        .update(perspectives)
        .set({ progress: { done, total }, updatedAt: written })
        .where(ours);
    };
    await db
      .update(perspectives)
      .set({ progress: { done: 0, total }, updatedAt: Date.now() })
      .where(ours);

    const answer = async (
      document: ReadDocument,
      claim: ReadDocument['passages'][number],
      other: ReadDocument,
    ): Promise<PerspectiveResponse> => {
      // Every claim's tasks start at once: a turn of the event loop of its own before each
      // retrieval keeps them from running back to back (a few ms each over long documents).
      await takeTurn();
      const passages = retrieve(claim, other, idf);
      const silent: PerspectiveResponse = {
        documentId: other.id,
        mark: 'silent',
        citation: null,
        note: 'Nothing in this document addresses the claim.',
      };
      if (passages.length === 0) return silent;
      const alignment = await runner.run(
        {
          provider: work.provider,
          model: work.model,
          prompt: work.prompt,
          input: {
            stage: 'perspectives',
            title: document.title,
            otherTitle: other.title,
            claim: { text: claim.text, start: claim.start, end: claim.end },
            passages: passages.map(({ text, start, end }) => ({ text, start, end })),
          },
          // The run's calls take turns at the limit with briefs' (always interactive: a user asked).
          owner: id,
        },
        stats,
        PERSPECTIVES_OUTPUT,
      );
      // A response naming no passage that was sent is not an answer to this claim.
      const response = alignment.responses.find(
        (r) => r.passage >= 1 && r.passage <= passages.length,
      );
      if (!response) return silent;
      return {
        documentId: other.id,
        mark: response.mark,
        citation: locators.get(other.id)!.locate(response.quote),
        note: response.note,
      };
    };

    const claims: PerspectiveClaim[] = await Promise.all(
      tasks.map(async ({ document, claim }) => {
        const responses: PerspectiveResponse[] = [];
        for (const other of read) {
          if (other === document) continue;
          responses.push(await answer(document, claim, other));
          await progressed();
        }
        return {
          documentId: document.id,
          citation: locators.get(document.id)!.locate(claim.text),
          responses,
        };
      }),
    );
    const result: PerspectivesResult = { claims };
    const [row] = await db
      .update(perspectives)
      .set({
        status: 'succeeded',
        result,
        error: null,
        usage: { ...stats },
        progress: { done: total, total },
        leaseUntil: null,
        updatedAt: Date.now(),
        finishedAt: Date.now(),
      })
      .where(ours)
      .returning();
    logger.info('perspectives succeeded', {
      perspectivesId: id,
      claims: claims.length,
      calls: stats.calls,
      ms: Math.round(performance.now() - started),
    });
    return row;
  } catch (error) {
    const failure = toBriefFailure(error);
    logger[failure.code === 'internal' ? 'error' : 'warn']('perspectives failed', {
      perspectivesId: id,
      code: failure.code,
      reason: error instanceof Error ? error.message : String(error),
      // What the endpoint said, for the server's log only (never stored or shown).
      ...(error instanceof LlmError && error.detail ? { upstream: error.detail } : {}),
    });
    const [row] = await db
      .update(perspectives)
      .set({
        status: 'failed',
        result: null,
        error: failure,
        usage: { ...stats },
        leaseUntil: null,
        updatedAt: Date.now(),
        finishedAt: Date.now(),
      })
      .where(ours)
      .returning();
    return row;
  }
}
