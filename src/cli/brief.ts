import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { briefEvents, ParallaxError, type BriefView } from '../client/index.js';
import { call, UsageError, withApi, type Api } from './api.js';
import { renderBrief } from './render.js';

export const briefUsage = `parallax brief <file|-> [--prompt brief@2] [--title T] [--provider openai|local] [--model M] [--refresh brief|calls] [--json] [--server URL]

Briefs a document (a file, or stdin with -) and prints the brief as text, or as the API's JSON
with --json. A brief that takes more than a second shows a progress bar on stderr. The media
type comes from the extension (.pdf .html .htm .md .markdown .txt); stdin and other files are
told apart by their bytes. --refresh brief makes the brief again though one is cached (LLM
calls already made come from the call cache); --refresh calls makes every call anew too (a
model whose weights changed under the same name). Exit 1 when the brief fails.`;

const REFRESH = ['brief', 'calls'] as const;

const MEDIA_TYPES: Record<string, string> = {
  '.txt': 'text/plain',
  '.text': 'text/plain',
  '.md': 'text/markdown',
  '.markdown': 'text/markdown',
  '.html': 'text/html',
  '.htm': 'text/html',
  '.pdf': 'application/pdf',
};

export async function briefCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompt: { type: 'string' },
      title: { type: 'string' },
      provider: { type: 'string' },
      model: { type: 'string' },
      refresh: { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give one file to brief, or - for stdin');
  const refresh = values.refresh;
  if (refresh !== undefined && !REFRESH.includes(refresh as (typeof REFRESH)[number]))
    throw new UsageError(`--refresh is brief or calls, not ${JSON.stringify(refresh)}`);
  const source = positionals[0]!;
  const document = readDocument(source, 'brief');
  if (!document) return 1;

  return withApi(values.server, async (api) => {
    const { title = document.title, prompt, provider, model } = values;
    const posted = await call(
      api.client.POST('/v1/briefs', {
        params: {
          query: {
            wait: QUIET_SECONDS,
            title,
            prompt,
            provider,
            model,
            refresh: refresh as (typeof REFRESH)[number] | undefined,
          },
        },
        headers: { 'content-type': document.mediaType },
        body: document.bytes,
      }),
    );
    const view = posted.status === 202 ? await followToOutcome(api, posted.data.id) : posted.data;
    if (view.status !== 'succeeded') {
      console.error(
        `parallax brief: the brief failed (${view.error?.code ?? 'unknown'}): ${view.error?.message ?? 'no reason given'}`,
      );
      return 1;
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(view, null, 2)}\n`);
      return 0;
    }
    const { data: stored } = await call(
      api.client.GET('/v1/documents/{id}', { params: { path: { id: view.document.id } } }),
    );
    process.stdout.write(renderBrief(view, stored.pageMap?.map((page) => page.start) ?? null));
    return 0;
  });
}

/** Stdin and files without a known extension: no claim, so the server tells PDF, HTML and text apart by the bytes. */
const UNKNOWN_TYPE = 'application/octet-stream';

/** A document read for sending as a raw body, as `parallax brief` and `parallax perspectives` send one. */
export interface DocumentFile {
  bytes: Uint8Array<ArrayBuffer>;
  mediaType: string;
  title: string | undefined;
}

/**
 * The file's bytes, its media type by extension and a default title; undefined after saying
 * why not on stderr, in the name of `command`.
 */
export function readDocument(source: string, command: string): DocumentFile | undefined {
  if (source === '-')
    return { bytes: new Uint8Array(readFileSync(0)), mediaType: UNKNOWN_TYPE, title: undefined };
  let stats: ReturnType<typeof statSync>;
  try {
    stats = statSync(source);
  } catch {
    console.error(`parallax ${command}: file not found: ${source}`);
    return undefined;
  }
  if (!stats.isFile()) {
    console.error(`parallax ${command}: not a file: ${source}`);
    return undefined;
  }
  const extension = extname(source).toLowerCase();
  const mediaType = MEDIA_TYPES[extension] ?? UNKNOWN_TYPE;
  // Text and Markdown files are named by their file name; HTML and PDF (and files whose type the
  // server tells from the bytes, which may be either) keep the title the server reads from them.
  const title =
    mediaType === 'text/plain' || mediaType === 'text/markdown'
      ? basename(source, extension)
      : undefined;
  return { bytes: new Uint8Array(readFileSync(source)), mediaType, title };
}

/**
 * A failure worth retrying: the connection (the server going away and coming back) or a 5xx
 * from the server or a proxy. A 4xx is the answer itself (an unknown brief, a missing token).
 */
export function isTransient(error: unknown): boolean {
  return !(error instanceof ParallaxError) || error.status >= 500;
}

/** A brief done within this long is printed with no progress bar; a longer one is followed with one. */
export const QUIET_SECONDS = 1;

/** Times a lost event stream is opened again, with no event in between, before giving up. */
const RECONNECTS = 5;

/**
 * Follows a running brief's events to its outcome, drawing a bar on stderr from the moment the
 * chunk count is known. When the stream ends or breaks before the outcome (a proxy's idle timeout,
 * a server restart), the brief is read once: a finished one is the answer, a running one is
 * followed again.
 */
export async function followToOutcome(api: Api, id: string): Promise<BriefView> {
  const bar = new SingleBar({
    format: 'brief [{bar}] {value}/{total} chunks · {stage}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    hideCursor: true,
  });
  let started = false;
  const start = (chunks: number | null) => {
    if (started || chunks === null || chunks < 1) return;
    bar.start(chunks, 0, { stage: 'queued' });
    started = true;
  };
  try {
    for (let lost = 0; ; lost++) {
      try {
        for await (const event of briefEvents(api.client, id)) {
          lost = 0;
          if (event.type === 'status' || event.type === 'queued') start(event.chunks);
          else if (event.type === 'progress' && event.stage === 'map') {
            start(event.total);
            bar.update(event.done, { stage: 'reading' });
          } else if (event.type === 'progress')
            bar.update({ stage: `merging, level ${event.level}: ${event.done}/${event.total}` });
          else if (event.type === 'verified')
            bar.update({
              stage: `verified ${event.verifiedCitations}/${event.citations} citations`,
            });
          else if (event.type === 'succeeded') return event.brief;
          else if (event.type === 'failed') return await getBrief(api, id);
        }
      } catch (error) {
        if (!isTransient(error) || lost >= RECONNECTS) throw error;
      }
      try {
        const view = await getBrief(api, id);
        if (view.status !== 'running') return view;
      } catch (error) {
        // The server restarting, or a proxy in front of it failing: try again after a pause.
        if (!isTransient(error) || lost >= RECONNECTS) throw error;
      }
      if (lost >= RECONNECTS) {
        throw new Error(
          `lost the event stream ${RECONNECTS + 1} times; brief ${id} is still running ("parallax briefs" lists it)`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 500 * (lost + 1)));
    }
  } finally {
    if (started) bar.stop();
  }
}

async function getBrief(api: Api, id: string): Promise<BriefView> {
  return (await call(api.client.GET('/v1/briefs/{id}', { params: { path: { id } } }))).data;
}
