import { submitBrief } from '../briefs/submit.js';
import { findSucceededBrief, getBrief } from '../briefs/queries.js';
import type { BriefView } from '../briefs/view.js';
import type { Deps } from '../deps.js';
import { getDocument } from '../documents/queries.js';
import { AppError } from '../errors.js';
import { modelFor } from '../llm/select.js';
import { compareBriefs, type Comparison } from './compare.js';

/** What comparing needs: the documents, the prompt registry, the providers and the briefs. */
export type CompareContext = Pick<Deps, 'db' | 'prompts' | 'providers' | 'briefs' | 'prices'>;

export type CompareQuery =
  | { kind: 'briefs'; ids: [string, string] }
  | {
      kind: 'refs';
      document: string;
      a: string;
      b: string;
      provider?: string | undefined;
      model?: string | undefined;
      run: boolean;
      waitMs: number;
    };

export type CompareResult =
  | { status: 'done'; comparison: Comparison }
  | { status: 'running'; briefIds: string[] };

/**
 * Two briefs of one document side by side: named by id, or by prompt refs on one document
 * (the default provider unless `provider` is given, its default model unless `model` is).
 * With `run`, a missing version is briefed first, through both caches; without it, 404 names
 * the missing version. Both refs are resolved before anything runs, so an unknown one writes
 * nothing.
 */
export async function compareQuery(
  context: CompareContext,
  query: CompareQuery,
): Promise<CompareResult> {
  const [a, b] =
    query.kind === 'briefs'
      ? await briefsById(context, query.ids)
      : await briefsByRefs(context, query);
  if (a.status !== 'succeeded' || b.status !== 'succeeded')
    return { status: 'running', briefIds: [a.id, b.id] };
  const document = await getDocument(context, a.document.id, true);
  return { status: 'done', comparison: compareBriefs(a, b, document.text!) };
}

async function briefsById(
  context: CompareContext,
  ids: [string, string],
): Promise<[BriefView, BriefView]> {
  const [a, b] = await Promise.all(ids.map((id) => getBrief(context.briefs, id)));
  if (a!.document.id !== b!.document.id) {
    throw new AppError(
      'invalid_request',
      `Briefs ${a!.id} and ${b!.id} are of different documents; compare briefs of one document`,
    );
  }
  for (const view of [a!, b!]) {
    if (view.status !== 'succeeded')
      throw new AppError('invalid_request', `Brief ${view.id} is ${view.status}, not succeeded`);
  }
  return [a!, b!];
}

async function briefsByRefs(
  context: CompareContext,
  query: Extract<CompareQuery, { kind: 'refs' }>,
): Promise<[BriefView, BriefView]> {
  const document = await getDocument(context, query.document, true);
  const provider = context.providers.get(query.provider);
  const model = modelFor(provider, query.model);
  const prompts = [context.prompts.resolve(query.a), context.prompts.resolve(query.b)];
  const sides = await Promise.all(
    prompts.map(async (prompt) => {
      const found = await findSucceededBrief(context.briefs, {
        documentId: document.id,
        prompt: prompt.ref,
        provider: provider.name,
        model,
      });
      if (found) return found;
      if (!query.run) {
        throw new AppError(
          'not_found',
          `No brief of document ${document.id} with ${prompt.ref} (${provider.name}, ${model}); run it first (run=true)`,
          {
            missing: prompt.ref,
          },
        );
      }
      const input = {
        text: document.text!,
        title: document.title ?? undefined,
        prompt: prompt.ref,
        provider: provider.name,
        model,
      };
      const { view } = await submitBrief(context.briefs, input, query.waitMs);
      if (view.status === 'failed') {
        throw new AppError(
          view.error?.code ?? 'internal',
          view.error?.message ?? 'The brief failed',
          { briefId: view.id },
        );
      }
      return view;
    }),
  );
  return sides as [BriefView, BriefView];
}
