import { AppError } from '../errors.js';
import type { Deps } from '../deps.js';
import { getDocument } from '../documents/service.js';
import type { BriefView } from '../briefs/view.js';
import { compareBriefs, type Comparison } from './compare.js';

export type CompareQuery =
  | { kind: 'briefs'; ids: [string, string] }
  | { kind: 'refs'; document: string; a: string; b: string; provider?: string | undefined; model?: string | undefined; run: boolean; waitMs: number };

export type CompareResult = { status: 'done'; comparison: Comparison } | { status: 'running'; briefIds: string[] };

/**
 * Two briefs of one document side by side: named by id, or by prompt refs on one document
 * (the default provider unless `provider` is given, its default model unless `model` is). With `run`, a missing version is
 * briefed first, through both caches; without it, 404 names the missing version.
 */
export async function compareQuery(deps: Deps, query: CompareQuery): Promise<CompareResult> {
  let a: BriefView;
  let b: BriefView;
  if (query.kind === 'briefs') {
    [a, b] = await Promise.all(query.ids.map((id) => deps.briefs.get(id))) as [BriefView, BriefView];
    if (a.document.id !== b.document.id) {
      throw new AppError('invalid_request', `Briefs ${a.id} and ${b.id} are of different documents; compare briefs of one document`);
    }
    for (const view of [a, b]) {
      if (view.status !== 'succeeded') throw new AppError('invalid_request', `Brief ${view.id} is ${view.status}, not succeeded`);
    }
  } else {
    const document = await getDocument(deps.db, query.document, true);
    const provider = deps.providers.get(query.provider);
    const sides = await Promise.all(
      [query.a, query.b].map(async (ref) => {
        const found = await deps.briefs.findSucceeded(document.id, ref, query.model, provider.name);
        if (found) return found;
        const prompt = deps.prompts.resolve(ref);
        if (!query.run) {
          throw new AppError(
            'not_found',
            `No brief of document ${document.id} with ${prompt.ref} (${provider.name}, ${query.model ?? provider.defaultModel}); add run=true to make it`,
            { missing: prompt.ref },
          );
        }
        const { view } = await deps.briefs.submit({ text: document.text!, title: document.title ?? undefined, prompt: prompt.ref, provider: provider.name, model: query.model }, query.waitMs);
        if (view.status === 'failed') throw new AppError((view.error?.code ?? 'internal') as never, view.error?.message ?? 'The brief failed', { briefId: view.id });
        return view;
      }),
    );
    [a, b] = sides as [BriefView, BriefView];
    if (a.status !== 'succeeded' || b.status !== 'succeeded') return { status: 'running', briefIds: [a.id, b.id] };
  }
  const document = await getDocument(deps.db, a.document.id, true);
  return { status: 'done', comparison: compareBriefs(a, b, document.text!) };
}
