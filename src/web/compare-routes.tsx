import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import { findSucceededBrief, listBriefs } from '../briefs/queries.js';
import type { BriefView } from '../briefs/view.js';
import { compareQuery } from '../compare/compare-query.js';
import type { Deps } from '../deps.js';
import { getDocument } from '../documents/queries.js';
import { AppError } from '../errors.js';
import { modelFor } from '../llm/select.js';
import { parseInput, type AppEnv } from '../routes/app-env.js';
import { DocumentId, givenFields, ModelName, PromptRef, ProviderName } from '../routes/fields.js';
import { field, readForm, requireFormToken } from './forms.js';
import { sendPage } from './layout.js';
import { ComparePage, type PendingSide } from './pages/compare.js';

/** How long the compare form waits for missing versions before showing their progress. */
const COMPARE_WAIT_MS = 1_000;

/** The compare page's query and form: the API's fields (a blank one is not given, as forms send it). */
const Query = z.object({
  document: DocumentId,
  a: PromptRef,
  b: PromptRef,
  provider: ProviderName.optional(),
  model: ModelName.optional(),
});
type Query = z.infer<typeof Query>;

/**
 * GET /compare?document=&a=&b=[&provider=][&model=]: two prompt versions of one document side by side. A GET
 * only reads: a version not briefed yet is offered as a POST, which makes it (with the token
 * when the server has API_TOKENS) and comes back here.
 */
export function compareRoutes(writes: MiddlewareHandler<AppEnv>) {
  return new Hono<AppEnv>()
    .get('/', async (c) => {
      const deps = c.get('deps');
      const query = parseInput(
        Query,
        givenFields(c.req.query()),
        'comparison (give document, a and b)',
      );
      const provider = deps.providers.get(query.provider);
      const model = modelFor(provider, query.model);
      const document = await getDocument(deps, query.document, false);
      const refs = [deps.prompts.resolve(query.a).ref, deps.prompts.resolve(query.b).ref] as const;
      const found = await Promise.all(
        refs.map((ref) =>
          findSucceededBrief(deps.briefs, {
            documentId: document.id,
            prompt: ref,
            provider: provider.name,
            model,
          }),
        ),
      );
      const [a, b] = found;
      if (a && b) {
        const result = await compareQuery(deps, { kind: 'briefs', ids: [a.id, b.id] });
        if (result.status === 'done')
          return sendPage(c, <ComparePage kind="done" comparison={result.comparison} />);
      }
      const pending: PendingSide[] = await Promise.all(
        refs
          .filter((_, i) => !found[i])
          .map(async (ref) => ({
            ref,
            brief: await newest(deps, document.id, ref, provider.name, model),
          })),
      );
      const tokenNeeded = deps.config.API_TOKENS.length > 0;
      return sendPage(
        c,
        <ComparePage
          kind="pending"
          document={document}
          a={refs[0]}
          b={refs[1]}
          provider={provider.name}
          model={model}
          pending={pending}
          tokenNeeded={tokenNeeded}
        />,
      );
    })
    .post('/', writes, async (c) => {
      const deps = c.get('deps');
      const form = await readForm(c);
      await requireFormToken(deps.config.API_TOKENS, form, c.req.header('authorization'));
      const values = {
        document: field(form, 'document'),
        a: field(form, 'a'),
        b: field(form, 'b'),
        provider: field(form, 'provider'),
        model: field(form, 'model'),
      };
      const query: Query = parseInput(Query, givenFields(values), 'form');
      const back = `/compare?${new URLSearchParams({ document: query.document, a: query.a, b: query.b, ...(query.provider ? { provider: query.provider } : {}), ...(query.model ? { model: query.model } : {}) })}`;
      try {
        await compareQuery(deps, { ...query, kind: 'refs', run: true, waitMs: COMPARE_WAIT_MS });
      } catch (error) {
        // A version whose brief failed: the compare page shows that brief's error and offers a retry.
        if (!(error instanceof AppError && error.details && 'briefId' in error.details))
          throw error;
      }
      return c.redirect(back, 303);
    });
}

/** The newest brief of a document with this prompt version, provider and model, whatever its status. */
async function newest(
  deps: Deps,
  document: string,
  ref: string,
  provider: string,
  model: string,
): Promise<BriefView | null> {
  const { items } = await listBriefs(deps.briefs, {
    document,
    prompt: ref,
    model,
    provider,
    limit: 1,
  });
  return items[0] ?? null;
}
