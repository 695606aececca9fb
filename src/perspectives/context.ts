import type { BriefContext } from '../briefs/context.js';
import type { PerspectivesRow } from '../db/schema.js';
import { type DocumentToRead, type ReadDocument, readDocument } from './passages.js';
import type { PerspectivesProgress } from './schema.js';

/**
 * What the perspectives verbs work with: the brief context's dependencies (database, prompts,
 * providers, the LLM-call runner with its cache and single-flight, leases) and the runs this
 * process holds. One per process on Node; one per request on Workers, like the brief context.
 */
export interface PerspectivesContext
  extends Pick<
    BriefContext,
    | 'db'
    | 'prompts'
    | 'providers'
    | 'runner'
    | 'logger'
    | 'leaseMs'
    | 'pollMs'
    | 'background'
    | 'paramsHashes'
    | 'prices'
    | 'queue'
    | 'maxAttempts'
  > {
  /** The version used when a request names none: the newest with a `# perspectives` section. */
  readonly defaultPrompt: string | undefined;
  /** Runs in this process, by id, each settling to its final row. */
  readonly running: Map<string, Promise<PerspectivesRow | undefined>>;
  /** Progress listeners of the runs in this process, by id. */
  readonly listeners: Map<string, Set<(progress: PerspectivesProgress) => void>>;
  /** readDocument (passages.ts: sentences, stems, figures), on a Node server's work thread or inline. */
  readonly readDocument: (document: DocumentToRead) => Promise<ReadDocument>;
}

export function createPerspectivesContext(
  briefs: BriefContext,
  read: (document: DocumentToRead) => Promise<ReadDocument> = readDocument,
): PerspectivesContext {
  const withSection = briefs.prompts.list().filter((prompt) => prompt.templates.perspectives);
  const newest = withSection.sort((a, b) => b.version - a.version)[0];
  return {
    db: briefs.db,
    prompts: briefs.prompts,
    providers: briefs.providers,
    runner: briefs.runner,
    logger: briefs.logger,
    leaseMs: briefs.leaseMs,
    pollMs: briefs.pollMs,
    background: briefs.background,
    paramsHashes: briefs.paramsHashes,
    prices: briefs.prices,
    queue: briefs.queue,
    maxAttempts: briefs.maxAttempts,
    defaultPrompt: newest?.ref,
    running: new Map(),
    listeners: new Map(),
    readDocument: read,
  };
}
