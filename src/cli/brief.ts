import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import type { BriefView } from '../briefs/view.js';
import { query, UsageError, withApi, type Api } from './api.js';
import { renderBrief } from './render.js';

export const briefUsage = `parallax brief <file|-> [--prompt brief@2] [--title T] [--model M] [--json] [--server URL]

Briefs a document (a file, or stdin with -) and prints the brief as text, or as the API's JSON
with --json. Long documents show a progress bar on stderr. Exit 1 when the brief fails.`;

const MEDIA_TYPES: Record<string, string> = {
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
      model: { type: 'string' },
      json: { type: 'boolean', default: false },
      server: { type: 'string' },
    },
  });
  if (positionals.length !== 1) throw new UsageError('give one file to brief, or - for stdin');
  const source = positionals[0]!;
  const document = readDocument(source);
  if (!document) return 1;

  return withApi(values.server, async (api) => {
    const path = `/v1/briefs${query({ wait: 0, title: values.title ?? document.title, prompt: values.prompt, model: values.model })}`;
    const posted = await api.json<BriefView>(path, { method: 'POST', headers: { 'content-type': document.mediaType }, body: document.bytes });
    const view = posted.status === 202 ? await follow(api, posted.body.id) : posted.body;
    if (view.status !== 'succeeded') {
      console.error(`parallax brief: the brief failed (${view.error?.code ?? 'unknown'}): ${view.error?.message ?? 'no reason given'}`);
      return 1;
    }
    process.stdout.write(values.json ? `${JSON.stringify(view, null, 2)}\n` : renderBrief(view));
    return 0;
  });
}

/** The file's bytes, its media type by extension and a default title; undefined after saying why not. */
function readDocument(source: string): { bytes: Uint8Array<ArrayBuffer>; mediaType: string; title: string | undefined } | undefined {
  if (source === '-') return { bytes: new Uint8Array(readFileSync(0)), mediaType: 'text/plain', title: undefined };
  let stats;
  try {
    stats = statSync(source);
  } catch {
    console.error(`parallax brief: file not found: ${source}`);
    return undefined;
  }
  if (!stats.isFile()) {
    console.error(`parallax brief: not a file: ${source}`);
    return undefined;
  }
  const extension = extname(source).toLowerCase();
  const mediaType = MEDIA_TYPES[extension] ?? 'text/plain';
  // HTML and PDF carry their own title, which the server reads; plain files are named by their file name.
  const title = mediaType === 'text/html' || mediaType === 'application/pdf' ? undefined : basename(source, extension);
  return { bytes: new Uint8Array(readFileSync(source)), mediaType, title };
}

/** Follows a running brief's events to its outcome, drawing a bar on stderr once it has more than one chunk. */
async function follow(api: Api, id: string): Promise<BriefView> {
  const bar = new SingleBar({
    format: 'brief [{bar}] {value}/{total} chunks · {stage}',
    stream: process.stderr,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
    hideCursor: true,
  });
  let started = false;
  try {
    for await (const { event, data } of api.events(id)) {
      if (event === 'progress' && typeof data.total === 'number') {
        if (data.stage === 'map' && !started && data.total > 1) {
          bar.start(data.total, 0, { stage: 'map' });
          started = true;
        }
        if (!started) continue;
        if (data.stage === 'map') bar.update(data.done as number, { stage: 'map' });
        else bar.update({ stage: `reduce level ${String(data.level)}: ${String(data.done)}/${String(data.total)}` });
      } else if (event === 'verified' && started) {
        bar.update({ stage: `verified ${String(data.verifiedCitations)}/${String(data.citations)} citations` });
      } else if (event === 'succeeded') {
        return data.brief as BriefView;
      } else if (event === 'failed') {
        return (await api.json<BriefView>(`/v1/briefs/${id}`)).body;
      }
    }
  } finally {
    if (started) bar.stop();
  }
  // The stream ended without an outcome (the server went away): read the brief once more.
  return (await api.json<BriefView>(`/v1/briefs/${id}`)).body;
}
