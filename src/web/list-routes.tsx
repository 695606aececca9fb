import { Hono } from 'hono';
import { z } from 'zod';
import { BRIEF_STATUSES } from '../db/schema.js';
import { listDocuments } from '../documents/service.js';
import { AppError } from '../errors.js';
import type { AppEnv } from '../routes/env.js';
import { sendPage } from './layout.js';
import { BriefsListPage, type ListFilterValues } from './pages/briefs-list.js';

const PAGE_SIZE = 25;
/** Documents offered in the filter's picker, newest first. */
const PICKER_DOCUMENTS = 200;

/** The filter form's query; an empty field means "any", as the form sends it. */
const Filters = z.object({
  document: z.string().regex(/^[0-9a-f]{64}$/, 'a document id is 64 hex digits').optional(),
  prompt: z.string().max(100).optional(),
  model: z.string().max(200).optional(),
  status: z.enum(BRIEF_STATUSES, { error: `status is one of ${BRIEF_STATUSES.join(', ')}` }).optional(),
  cursor: z.string().max(200).optional(),
});

/** GET /briefs: the cached briefs, filtered, newest first, a page at a time. */
export const listRoutes = new Hono<AppEnv>().get('/', async (c) => {
  const { briefs, db, prompts } = c.get('deps');
  const query = Object.fromEntries(Object.entries(c.req.query()).filter(([, value]) => value.trim() !== ''));
  const values: ListFilterValues = { document: query.document ?? '', prompt: query.prompt ?? '', model: query.model ?? '', status: query.status ?? '' };
  const documents = await listDocuments(db, PICKER_DOCUMENTS);
  // A filtered document older than the picker's list stays selectable (and visibly selected).
  if (values.document && !documents.some((doc) => doc.id === values.document)) documents.push({ id: values.document, title: null });
  const common = { filters: values, documents, promptRefs: prompts.list().map((prompt) => prompt.ref) };

  const parsed = Filters.safeParse(query);
  if (!parsed.success) {
    const message = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    return sendPage(c, <BriefsListPage {...common} items={[]} nextQuery={null} error={message} />, 400);
  }
  try {
    const page = await briefs.list({ ...parsed.data, limit: PAGE_SIZE });
    const next = page.nextCursor === null ? null : new URLSearchParams({ ...stripEmpty(values), cursor: page.nextCursor }).toString();
    return sendPage(c, <BriefsListPage {...common} items={page.items} nextQuery={next} />);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return sendPage(c, <BriefsListPage {...common} items={[]} nextQuery={null} error={error.message} />, error.status);
  }
});

function stripEmpty(values: ListFilterValues): Record<string, string> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== ''));
}
