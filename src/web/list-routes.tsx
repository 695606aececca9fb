import { Hono } from 'hono';
import { z } from 'zod';
import { BRIEF_STATUSES } from '../briefs/schema.js';
import { listBriefs } from '../briefs/queries.js';
import { listDocuments } from '../documents/queries.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../routes/app-env.js';
import { ListBriefsQuery } from '../routes/briefs.js';
import { givenFields } from '../routes/fields.js';
import { sendPage } from './layout.js';
import { BriefsListPage, type ListFilterValues } from './pages/briefs-list.js';

const PAGE_SIZE = 25;
/** Documents offered in the filter's picker, newest first. */
const PICKER_DOCUMENTS = 200;

/** The filter form's query: the API's list filters, where an empty field means "any", as the form sends it. */
const Filters = ListBriefsQuery.pick({
  document: true,
  prompt: true,
  model: true,
  cursor: true,
}).extend({
  status: z
    .enum(BRIEF_STATUSES, { error: `status is one of ${BRIEF_STATUSES.join(', ')}` })
    .optional(),
});

/** GET /briefs: the cached briefs, filtered, newest first, a page at a time. */
export const listRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const deps = c.get('deps');
  const { briefs, prompts } = deps;
  const query = givenFields(c.req.query());
  const values: ListFilterValues = {
    document: query.document ?? '',
    prompt: query.prompt ?? '',
    model: query.model ?? '',
    status: query.status ?? '',
  };
  const documents = await listDocuments(deps, PICKER_DOCUMENTS);
  // A filtered document older than the picker's list stays selectable (and visibly selected).
  if (values.document && !documents.some((doc) => doc.id === values.document))
    documents.push({ id: values.document, title: null });
  const common = {
    filters: values,
    documents,
    promptRefs: prompts.list().map((prompt) => prompt.ref),
  };

  const parsed = Filters.safeParse(query);
  if (!parsed.success) {
    const message = parsed.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    return sendPage(
      c,
      <BriefsListPage {...common} items={[]} nextQuery={null} error={message} />,
      400,
    );
  }
  try {
    const page = await listBriefs(briefs, { ...parsed.data, limit: PAGE_SIZE });
    const next =
      page.nextCursor === null
        ? null
        : new URLSearchParams({ ...stripEmpty(values), cursor: page.nextCursor }).toString();
    return sendPage(c, <BriefsListPage {...common} items={page.items} nextQuery={next} />);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return sendPage(
      c,
      <BriefsListPage {...common} items={[]} nextQuery={null} error={error.message} />,
      error.status,
    );
  }
});

function stripEmpty(values: ListFilterValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
}
