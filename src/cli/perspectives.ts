import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { ParallaxError, type PerspectivesView } from '../client/index.js';
import { MAX_DOCUMENTS, MIN_DOCUMENTS } from '../perspectives/submit.js';
import { ModelName, PromptRef, ProviderName } from '../routes/fields.js';
import { type Api, call, option, UsageError, withApi } from './api.js';
import { type DocumentFile, isTransient, QUIET_SECONDS, readDocument } from './brief.js';
import { renderPerspectives } from './render.js';

export const perspectivesUsage = `parallax perspectives <file> <file> [<file>...] [--prompt REF] [--provider openai|local] [--model M] [--json] [--server URL]

Stores ${MIN_DOCUMENTS} to ${MAX_DOCUMENTS} documents (files, or stdin with - once) and prints, for each
document's key claims, how each other document answers them: agrees, disputes, differs or
silent, with both quotes; or the API's JSON with --json. A run that takes more than a second
shows a progress bar on stderr. Exit 1 when the run fails.`;

export async function perspectivesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompt: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  // Everything the command can refuse is refused here, before any document is sent.
  if (positionals.length < MIN_DOCUMENTS || positionals.length > MAX_DOCUMENTS)
    throw new UsageError(
      `give ${MIN_DOCUMENTS} to ${MAX_DOCUMENTS} files to read against each other (got ${positionals.length})`,
    );
  if (positionals.filter((source) => source === '-').length > 1)
    throw new UsageError('stdin (-) can be given only once');
  const body = {
    prompt: values.prompt === undefined ? undefined : option(PromptRef, values.prompt, '--prompt'),
    provider:
      values.provider === undefined
        ? undefined
        : option(ProviderName, values.provider, '--provider'),
    model: values.model === undefined ? undefined : option(ModelName, values.model, '--model'),
  };
  const files: Array<{ source: string; document: DocumentFile }> = [];
  for (const source of positionals) {
    const document = readDocument(source, 'perspectives');
    if (!document) return 1;
    files.push({ source, document });
  }

  return withApi(values.server, async (api) => {
    // Each file's name, by its document id: the name the output gives it when it has no title.
    const names = new Map<string, string>();
    for (const { source, document } of files) {
      const id = await upload(api, source, document);
      const earlier = names.get(id);
      if (earlier !== undefined)
        throw new UsageError(`${source} and ${earlier} hold the same document`);
      names.set(id, source === '-' ? 'stdin' : basename(source));
    }
    const posted = await withCode(() =>
      call(
        api.client.POST('/v1/perspectives', {
          params: { query: { wait: QUIET_SECONDS } },
          body: { documents: [...names.keys()], ...body },
        }),
      ),
    );
    const view = posted.status === 202 ? await pollToOutcome(api, posted.data.id) : posted.data;
    if (view.status !== 'succeeded') {
      console.error(
        `parallax perspectives: the run failed (${view.error?.code ?? 'unknown'}): ${view.error?.message ?? 'no reason given'}`,
      );
      return 1;
    }
    process.stdout.write(
      values.json ? `${JSON.stringify(view, null, 2)}\n` : renderPerspectives(view, names),
    );
    return 0;
  });
}

/** Stores one file with POST /v1/documents, sent as `parallax brief` sends it; its document id. */
async function upload(api: Api, source: string, document: DocumentFile): Promise<string> {
  const { data } = await withCode(
    () =>
      call(
        api.client.POST('/v1/documents', {
          params: { query: { title: document.title } },
          headers: { 'content-type': document.mediaType },
          body: document.bytes,
        }),
      ),
    source === '-' ? 'stdin' : source,
  );
  return data.id;
}

/** Runs one request, naming the error code (and the file, when given) in an error the API answers. */
async function withCode<T>(request: () => Promise<T>, file?: string): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (!(error instanceof ParallaxError)) throw error;
    throw renamed(error, `${file === undefined ? '' : `${file}: `}${error.code}: ${error.message}`);
  }
}

/** The same error answer with another message. */
const renamed = (error: ParallaxError, message: string) =>
  new ParallaxError(error.status, error.code, message, error.requestId, error.details);

/** Pause between reads of a running run. */
const POLL_MS = 500;

/** Failed reads in a row (the server restarting, a proxy's 5xx) before giving up. */
const RETRIES = 5;

/**
 * Reads a running perspectives run until it is no longer running, drawing a bar on stderr of the
 * claim readings done from the first read that knows their total.
 */
async function pollToOutcome(api: Api, id: string): Promise<PerspectivesView> {
  const bar = new SingleBar({
    format: 'perspectives [{bar}] {value}/{total} claim readings',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    hideCursor: true,
  });
  let started = false;
  try {
    for (let failed = 0; ; ) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS * (failed + 1)));
      let view: PerspectivesView;
      try {
        view = (await call(api.client.GET('/v1/perspectives/{id}', { params: { path: { id } } })))
          .data;
        failed = 0;
      } catch (error) {
        if (!isTransient(error) || ++failed > RETRIES)
          throw error instanceof ParallaxError
            ? renamed(error, `${error.code}: ${error.message}`)
            : error;
        continue;
      }
      if (view.status !== 'running') {
        if (started && view.progress) bar.update(view.progress.done);
        return view;
      }
      if (!view.progress || view.progress.total < 1) continue;
      if (!started) {
        bar.start(view.progress.total, view.progress.done);
        started = true;
      } else bar.update(view.progress.done);
    }
  } finally {
    if (started) bar.stop();
  }
}
